using Cdd.Testing;

namespace Cdd.Native.Tests.Netlink;

[Tier(Tier.Unit)]
public class StructLayoutTests
{
    [Fact]
    public void Sizes_agree_with_a_compiled_c_program()
    {
        var sizes = CProbe.Run("""
            #include <stdio.h>
            #include <linux/netlink.h>
            #include <linux/rtnetlink.h>
            #include <linux/neighbour.h>
            int main(void){printf("%zu %zu %zu %zu %zu\n",sizeof(struct sockaddr_nl),sizeof(struct ifinfomsg),sizeof(struct ifaddrmsg),sizeof(struct rtmsg),sizeof(struct ndmsg));return 0;}
            """).Split(' ').Select(int.Parse).ToArray();
        Assert.Equal(
            new[] { System.Runtime.CompilerServices.Unsafe.SizeOf<Cdd.Native.Netlink.NetlinkSocket.SockaddrNl>(), Cdd.Native.Netlink.Nl.IfInfoMsgSize, Cdd.Native.Netlink.Nl.IfAddrMsgSize, Cdd.Native.Netlink.Nl.RtMsgSize, Cdd.Native.Netlink.Nl.NdMsgSize },
            sizes);
    }
}
