using System.Runtime.CompilerServices;
using Cdd.Native.Packet;

namespace Cdd.Native.Tests.Netlink;

public class StructLayoutTests
{
    // Sizes from linux/if_packet.h and netinet/in.h on x86_64 (checked with a C program: sizeof).
    [Fact]
    public void Sockaddr_ll_matches_the_kernel_header() => Assert.Equal(20, Unsafe.SizeOf<AddressAnnouncer.SockaddrLl>());

    [Fact]
    public void Sockaddr_in6_matches_the_kernel_header() => Assert.Equal(28, Unsafe.SizeOf<AddressAnnouncer.SockaddrIn6>());

    [Fact]
    public void Sizes_agree_with_a_compiled_c_program()
    {
        var dir = Directory.CreateTempSubdirectory("cdd-sizeof");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "s.c"), """
                #include <stdio.h>
                #include <linux/if_packet.h>
                #include <netinet/in.h>
                #include <linux/netlink.h>
                #include <linux/rtnetlink.h>
                #include <linux/neighbour.h>
                int main(void){printf("%zu %zu %zu %zu %zu %zu %zu\n",sizeof(struct sockaddr_ll),sizeof(struct sockaddr_in6),
                  sizeof(struct sockaddr_nl),sizeof(struct ifinfomsg),sizeof(struct ifaddrmsg),sizeof(struct rtmsg),sizeof(struct ndmsg));return 0;}
                """);
            var exe = Path.Combine(dir.FullName, "s");
            Cdd.Testing.Exec.Run("cc", "-o", exe, Path.Combine(dir.FullName, "s.c")).EnsureSuccess("cc (install gcc: build.sh does)");
            var sizes = Cdd.Testing.Exec.Run(exe).Stdout.Trim().Split(' ').Select(int.Parse).ToArray();
            Assert.Equal(
                new[] { 20, 28, 12, Cdd.Native.Netlink.Nl.IfInfoMsgSize, Cdd.Native.Netlink.Nl.IfAddrMsgSize, Cdd.Native.Netlink.Nl.RtMsgSize, Cdd.Native.Netlink.Nl.NdMsgSize },
                sizes);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
