using System.Text.Json.Nodes;

namespace Cdd.Testing.Kube;

/// <summary>
/// The API server's state and rules, strict where clients go wrong: one resourceVersion counter for everything,
/// create refuses an existing name (409 AlreadyExists), update and delete refuse a stale resourceVersion or UID
/// (409 Conflict), an update without resourceVersion is refused too, status is only written through /status, and an
/// object with finalizers is only marked for deletion. Every change is kept as an event for watches.
/// </summary>
public sealed class KubeObjectStore
{
    readonly Lock _lock = new();
    readonly Dictionary<(string Resource, string Ns, string Name), JsonObject> _objects = [];
    readonly List<KubeEvent> _events = [];
    long _rv;
    long _compacted;

    public long ResourceVersion
    {
        get { lock (_lock) return _rv; }
    }

    /// <summary>Events up to this revision are forgotten: a watch from before it gets 410 Expired.</summary>
    public long CompactedThrough
    {
        get { lock (_lock) return _compacted; }
    }

    /// <summary>Forgets the history so far, as etcd compaction does; watchers behind it must list again.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compacted = _rv;
            _events.Clear();
        }
        Changed?.Invoke();
    }

    /// <summary>Pulsed on every change, so watches wake up.</summary>
    public event Action? Changed;

    public JsonObject Create(KubeRoute r, JsonObject obj)
    {
        string name = obj["metadata"]?["name"]?.GetValue<string>() ?? throw KubeError.Invalid("metadata.name is required");
        if (obj["metadata"]?["resourceVersion"] is not null) throw KubeError.Invalid("resourceVersion must not be set on create");
        lock (_lock)
        {
            var key = (r.Resource, r.Namespace, name);
            if (_objects.ContainsKey(key)) throw KubeError.AlreadyExists($"{r.Plural} \"{name}\"");
            var meta = (JsonObject)obj["metadata"]!;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
            meta["generation"] = 1L;
            if (r.Namespace != "") meta["namespace"] = r.Namespace;
            obj.Remove("status");
            Commit(key, obj, "ADDED");
            return (JsonObject)obj.DeepClone();
        }
    }

    public JsonObject Get(KubeRoute r)
    {
        lock (_lock)
            return _objects.TryGetValue((r.Resource, r.Namespace, r.Name!), out var o)
                ? (JsonObject)o.DeepClone()
                : throw KubeError.NotFound($"{r.Plural} \"{r.Name}\"");
    }

    public (List<JsonObject> Items, long ResourceVersion) List(KubeRoute r, LabelSelector selector)
    {
        lock (_lock)
            return ([.. _objects.Where(kv => kv.Key.Resource == r.Resource && (r.Namespace == "" || kv.Key.Ns == r.Namespace) && selector.Matches(kv.Value))
                .OrderBy(kv => kv.Key.Name).Select(kv => (JsonObject)kv.Value.DeepClone())], _rv);
    }

    /// <summary>PUT on the object (status kept as stored) or on /status (everything but status kept as stored).</summary>
    public JsonObject Update(KubeRoute r, JsonObject obj)
    {
        string? sent = obj["metadata"]?["resourceVersion"]?.GetValue<string>();
        if (sent is null) throw KubeError.Conflict($"{r.Plural} \"{r.Name}\": metadata.resourceVersion is required for an update");
        lock (_lock)
        {
            var key = (r.Resource, r.Namespace, r.Name!);
            if (!_objects.TryGetValue(key, out var now)) throw KubeError.NotFound($"{r.Plural} \"{r.Name}\"");
            if (now["metadata"]!["resourceVersion"]!.GetValue<string>() != sent)
                throw KubeError.Conflict($"Operation cannot be fulfilled on {r.Plural} \"{r.Name}\": the object has been modified; please apply your changes to the latest version and try again");
            JsonObject next;
            if (r.Subresource == "status")
            {
                next = (JsonObject)now.DeepClone();
                next["status"] = obj["status"]?.DeepClone();
            }
            else
            {
                next = (JsonObject)obj.DeepClone();
                next["status"] = now["status"]?.DeepClone();
                var meta = (JsonObject)next["metadata"]!;
                foreach (var keep in new[] { "uid", "creationTimestamp", "deletionTimestamp", "namespace" })
                {
                    // Server-owned fields: whatever the client sent, the stored value stands (or stays absent).
                    if (now["metadata"]![keep] is { } stored) meta[keep] = stored.DeepClone();
                    else meta.Remove(keep);
                }
                bool specChanged = !JsonNode.DeepEquals(now["spec"], next["spec"]);
                meta["generation"] = now["metadata"]!["generation"]!.GetValue<long>() + (specChanged ? 1 : 0);
            }
            if (IsFinalized(next) && next["metadata"]!["deletionTimestamp"] is not null)
            {
                _objects.Remove(key);
                Commit(key, next, "DELETED", store: false);
                return (JsonObject)next.DeepClone();
            }
            Commit(key, next, "MODIFIED");
            return (JsonObject)next.DeepClone();
        }
    }

    /// <summary>
    /// PATCH as merge patch or JSON patch, on the object or on /status. A resourceVersion in the patched result is a
    /// precondition like an update's; without one the patch applies to whatever is stored now.
    /// </summary>
    public JsonObject Patch(KubeRoute r, string? contentType, JsonNode patch)
    {
        string type = (contentType ?? "").Split(';')[0].Trim();
        lock (_lock)
        {
            var key = (r.Resource, r.Namespace, r.Name!);
            if (!_objects.TryGetValue(key, out var now)) throw KubeError.NotFound($"{r.Plural} \"{r.Name}\"");
            JsonObject patched = type switch
            {
                JsonPatches.MergePatch => JsonPatches.Merge(now, patch) as JsonObject ?? throw KubeError.Invalid("a merge patch must be an object"),
                JsonPatches.JsonPatch => JsonPatches.Apply(now, patch as JsonArray ?? throw KubeError.Invalid("a JSON patch must be an array")),
                _ => throw new KubeError(415, "UnsupportedMediaType", $"the patch type \"{type}\" is not supported (use {JsonPatches.MergePatch} or {JsonPatches.JsonPatch})"),
            };
            string current = now["metadata"]!["resourceVersion"]!.GetValue<string>();
            if (patched["metadata"] is not JsonObject meta) throw KubeError.Invalid("metadata cannot be removed");
            if (meta["resourceVersion"]?.GetValue<string>() is { } sent && sent != current)
                throw KubeError.Conflict($"Operation cannot be fulfilled on {r.Plural} \"{r.Name}\": the object has been modified; please apply your changes to the latest version and try again");
            meta["resourceVersion"] = current;
            return Update(r, patched);
        }
    }

    public JsonObject Delete(KubeRoute r, string? uid, string? resourceVersion)
    {
        lock (_lock)
        {
            var key = (r.Resource, r.Namespace, r.Name!);
            if (!_objects.TryGetValue(key, out var now)) throw KubeError.NotFound($"{r.Plural} \"{r.Name}\"");
            var meta = now["metadata"]!;
            if (uid is not null && meta["uid"]!.GetValue<string>() != uid)
                throw KubeError.Conflict($"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta["uid"]}");
            if (resourceVersion is not null && meta["resourceVersion"]!.GetValue<string>() != resourceVersion)
                throw KubeError.Conflict($"Precondition failed: ResourceVersion in precondition: {resourceVersion}, ResourceVersion in object meta: {meta["resourceVersion"]}");
            if (!IsFinalized(now))
            {
                if (meta["deletionTimestamp"] is null)
                {
                    var marked = (JsonObject)now.DeepClone();
                    marked["metadata"]!["deletionTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
                    Commit(key, marked, "MODIFIED");
                    return (JsonObject)marked.DeepClone();
                }
                return (JsonObject)now.DeepClone();
            }
            _objects.Remove(key);
            var gone = (JsonObject)now.DeepClone();
            Commit(key, gone, "DELETED", store: false);
            return (JsonObject)gone.DeepClone();
        }
    }

    /// <summary>Events after <paramref name="afterRv"/> for one resource, in order.</summary>
    public List<KubeEvent> EventsAfter(KubeRoute r, long afterRv, LabelSelector selector)
    {
        lock (_lock)
        {
            // Events are kept in revision order: start at the first one after afterRv instead of scanning the history
            // (ten watchers woken by every write of a thousand-pod run would otherwise rescan it all each time).
            int lo = 0, hi = _events.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_events[mid].ResourceVersion <= afterRv) lo = mid + 1;
                else hi = mid;
            }
            var found = new List<KubeEvent>();
            for (int i = lo; i < _events.Count; i++)
            {
                var e = _events[i];
                if (e.Resource == r.Resource && (r.Namespace == "" || e.Namespace == r.Namespace) && selector.Matches(e.Object)) found.Add(e);
            }
            return found;
        }
    }

    static bool IsFinalized(JsonObject o) => o["metadata"]?["finalizers"] is not JsonArray { Count: > 0 };

    void Commit((string Resource, string Ns, string Name) key, JsonObject obj, string type, bool store = true)
    {
        _rv++;
        obj["metadata"]!["resourceVersion"] = _rv.ToString();
        if (store) _objects[key] = obj;
        _events.Add(new KubeEvent(_rv, type, key.Resource, key.Ns, (JsonObject)obj.DeepClone()));
        Changed?.Invoke();
    }
}

public sealed record KubeEvent(long ResourceVersion, string Type, string Resource, string Namespace, JsonObject Object);
