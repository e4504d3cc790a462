using System.Runtime.InteropServices;
using Cdd.Native.Interop;
using Cdd.Testing;

namespace Cdd.Native.Tests.Mounts;

[Tier(Tier.Unit)]
public sealed class StatVfsLayoutTests
{
    static readonly string[] Fields = ["f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail", "f_fsid", "f_flag", "f_namemax"];

    [Fact]
    public void The_declared_struct_statvfs_has_glibcs_size_and_offsets()
    {
        // statvfs(3) writes sizeof(struct statvfs) bytes into our buffer: a short declaration would be overrun.
        string offsets = string.Join(",", Fields.Select(f => $"offsetof(struct statvfs,{f})"));
        string printed = CProbe.Run($$"""
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/statvfs.h>
            int main(void){size_t o[]={{{offsets}}};printf("%zu",sizeof(struct statvfs));for(unsigned i=0;i<sizeof o/sizeof o[0];i++)printf(" %zu",o[i]);printf("\n");return 0;}
            """);
        var expected = new[] { Marshal.SizeOf<MountCalls.StatVfs>() }
            .Concat(Fields.Select(f => (int)Marshal.OffsetOf<MountCalls.StatVfs>(f))).ToArray();
        Assert.Equal(printed.Split(' ').Select(int.Parse).ToArray(), expected);
    }

    [Fact]
    public void The_field_widths_agree_too()
    {
        // Offsets alone would not see a 32-bit field where glibc has a 64-bit one at the end of the struct.
        string sizes = string.Join(",", Fields.Select(f => $"sizeof(((struct statvfs*)0)->{f})"));
        string printed = CProbe.Run($$"""
            #include <stdio.h>
            #include <sys/statvfs.h>
            int main(void){size_t s[]={{{sizes}}};for(unsigned i=0;i<sizeof s/sizeof s[0];i++)printf(i?" %zu":"%zu",s[i]);printf("\n");return 0;}
            """);
        var expected = Fields.Select(f => Marshal.SizeOf(typeof(MountCalls.StatVfs).GetField(f)!.FieldType)).ToArray();
        Assert.Equal(printed.Split(' ').Select(int.Parse).ToArray(), expected);
    }
}
