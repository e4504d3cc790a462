using Cdd.Csi.Errors;

namespace Cdd.Csi.Backends;

/// <summary>ListVolumes and ListSnapshots paging, one rule for every backend.</summary>
internal static class Paging
{
    /// <summary>
    /// One page of a listing, entries ordered by ID: from the entry whose ID is <paramref name="startingToken"/> (ABORTED
    /// when it is gone: the listing changed under the caller), at most <paramref name="maxEntries"/> (0 = all); the next
    /// token is the ID of the first entry left out, "" when none is.
    /// </summary>
    public static (IEnumerable<(string Id, T Item)> Page, string NextToken) Page<T>(List<(string Id, T Item)> all, string startingToken, int maxEntries)
    {
        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        int start = 0;
        if (startingToken.Length > 0)
        {
            start = all.FindIndex(v => v.Id == startingToken);
            if (start < 0) throw new CsiException(CsiFault.Aborted, $"starting_token {startingToken} is no longer valid");
        }
        int count = maxEntries > 0 ? Math.Min(maxEntries, all.Count - start) : all.Count - start;
        return (all.Skip(start).Take(count), start + count < all.Count ? all[start + count].Id : "");
    }
}
