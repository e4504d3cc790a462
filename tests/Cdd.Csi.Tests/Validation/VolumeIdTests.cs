using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Tests.Validation;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class VolumeIdTests
{
    [Fact]
    public void Same_request_name_always_maps_to_the_same_lv_and_different_names_do_not()
    {
        Assert.Equal(VolumeId.LvNameFor("pvc-1"), VolumeId.LvNameFor("pvc-1"));
        Assert.NotEqual(VolumeId.LvNameFor("pvc-1"), VolumeId.LvNameFor("pvc-2"));
        Assert.Matches("^csi-[0-9a-f]{40}$", VolumeId.LvNameFor("ünïcode name"));
    }

    [Fact]
    public void Name_tag_uses_only_characters_lvm_allows_in_tags()
    {
        Assert.Matches("^[A-Za-z0-9_+.\\-/=!:&#]+$", VolumeId.NameTag("pvc with spaces/and € signs"));
    }

    [Theory]
    [InlineData("vg1/csi-0123456789abcdef0123456789abcdef01234567", true)]
    [InlineData("vg1/other-lv", false)]
    [InlineData("vg1/csi-0123", false)]
    [InlineData("a/b/c", false)]
    [InlineData("-vg/csi-0123456789abcdef0123456789abcdef01234567", false)]
    [InlineData("vg1/csi-0123456789ABCDEF0123456789abcdef01234567", false)]
    public void Only_ids_this_driver_issues_parse(string id, bool ok) => Assert.Equal(ok, VolumeId.TryParse(id) is not null);

    [Fact]
    public void Unknown_volume_id_is_not_found_and_empty_is_invalid()
    {
        Assert.Equal(CsiFault.NotFound, Assert.Throws<CsiException>(() => VolumeId.Require("vg1/nope")).Fault);
        Assert.Equal(CsiFault.InvalidArgument, Assert.Throws<CsiException>(() => VolumeId.Require("")).Fault);
    }

    [Theory]
    [InlineData(1, 0, 4 << 20)]
    [InlineData(4 << 20, 0, 4 << 20)]
    [InlineData((4 << 20) + 1, 0, 8 << 20)]
    [InlineData(0, 0, 1 << 30)]
    [InlineData(0, 8 << 20, 8 << 20)]
    public void Size_rounds_up_to_whole_extents(long required, long limit, long expected) =>
        Assert.Equal(expected, new Capacity(4 << 20, 1L << 30).Size(new CapacityRange { RequiredBytes = required, LimitBytes = limit }, null));

    [Fact]
    public void Without_a_size_the_drivers_configured_default_is_used()
    {
        var options = new DriverOptions { NodeId = "n", VolumeGroups = ["vg1"], DefaultVolumeBytes = 64L << 20 };
        Assert.Equal(64L << 20, new Capacity(4 << 20, options.DefaultVolumeBytes).Size(null, null));
        Assert.Equal(64L << 20, new Capacity(4 << 20, options.DefaultVolumeBytes).Size(new CapacityRange(), null));
    }

    [Fact]
    public void Limit_below_one_extent_is_out_of_range()
    {
        var e = Assert.Throws<CsiException>(() => new Capacity(4 << 20, 1L << 30).Size(new CapacityRange { RequiredBytes = 1, LimitBytes = 1 << 20 }, null));
        Assert.Equal(CsiFault.OutOfRange, e.Fault);
    }
}
