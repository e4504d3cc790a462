namespace Cdd.Native.Tests.Netlink;

public class StructLayoutTests
{
    [Fact]
    public void Sizes_agree_with_a_compiled_c_program()
    {
        var dir = Directory.CreateTempSubdirectory("cdd-sizeof");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "s.c"), """
                #include <stdio.h>
                #include <linux/netlink.h>
                #include <linux/rtnetlink.h>
                #include <linux/neighbour.h>
                int main(void){printf("%zu %zu %zu %zu %zu\n",sizeof(struct sockaddr_nl),sizeof(struct ifinfomsg),sizeof(struct ifaddrmsg),sizeof(struct rtmsg),sizeof(struct ndmsg));return 0;}
                """);
            var exe = Path.Combine(dir.FullName, "s");
            Cdd.Testing.Exec.Run("cc", "-o", exe, Path.Combine(dir.FullName, "s.c")).EnsureSuccess("cc (install gcc: build.sh does)");
            var sizes = Cdd.Testing.Exec.Run(exe).Stdout.Trim().Split(' ').Select(int.Parse).ToArray();
            Assert.Equal(
                new[] { System.Runtime.CompilerServices.Unsafe.SizeOf<Cdd.Native.Netlink.NetlinkSocket.SockaddrNl>(), Cdd.Native.Netlink.Nl.IfInfoMsgSize, Cdd.Native.Netlink.Nl.IfAddrMsgSize, Cdd.Native.Netlink.Nl.RtMsgSize, Cdd.Native.Netlink.Nl.NdMsgSize },
                sizes);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
