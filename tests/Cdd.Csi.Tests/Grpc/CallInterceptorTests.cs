using Cdd.Csi.Errors;
using Cdd.Csi.Grpc;
using Cdd.Native;
using Csi.V1;
using Grpc.Core;

namespace Cdd.Csi.Tests.Grpc;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class CallInterceptorTests
{
    [Theory]
    [InlineData((int)CsiFault.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData((int)CsiFault.OutOfRange, StatusCode.OutOfRange)]
    [InlineData((int)CsiFault.NotFound, StatusCode.NotFound)]
    [InlineData((int)CsiFault.AlreadyExists, StatusCode.AlreadyExists)]
    [InlineData((int)CsiFault.ResourceExhausted, StatusCode.ResourceExhausted)]
    [InlineData((int)CsiFault.FailedPrecondition, StatusCode.FailedPrecondition)]
    [InlineData((int)CsiFault.Aborted, StatusCode.Aborted)]
    public void Each_domain_fault_maps_to_the_code_the_spec_names(int fault, StatusCode code)
    {
        var status = CallInterceptor.Map(new CsiException((CsiFault)fault, "why"));
        Assert.Equal(code, status.StatusCode);
        Assert.Equal("why", status.Detail);
    }

    [Fact]
    public void Busy_mount_is_failed_precondition_and_a_failing_tool_is_internal()
    {
        Assert.Equal(StatusCode.FailedPrecondition, CallInterceptor.Map(new ErrnoException(Errno.EBUSY, "umount", "/x")).StatusCode);
        Assert.Equal(StatusCode.Internal, CallInterceptor.Map(new ToolException("lvcreate", ["-n", "x"], 5, "boom")).StatusCode);
    }

    [Fact]
    public void A_hung_tool_is_deadline_exceeded_and_named()
    {
        var status = CallInterceptor.Map(new ToolTimeoutException("lvs", ["vg1"], TimeSpan.FromMinutes(2)));
        Assert.Equal(StatusCode.DeadlineExceeded, status.StatusCode);
        Assert.Equal("lvs vg1 did not finish within 120 s and was killed", status.Detail);
    }

    [Fact]
    public void Logged_request_carries_no_secrets_and_no_mount_flags()
    {
        var r = new NodeStageVolumeRequest
        {
            VolumeId = "vg1/v",
            Secrets = { ["password"] = "hunter2" },
            VolumeCapability = new VolumeCapability { Mount = new VolumeCapability.Types.MountVolume { FsType = "ext4", MountFlags = { "pass=hunter2" } } },
        };
        string logged = SecretStripper.Strip(r).ToString() ?? "";
        Assert.DoesNotContain("hunter2", logged);
        Assert.Contains("vg1/v", logged);
        Assert.Equal("hunter2", r.Secrets["password"]); // the request itself is untouched
    }
}
