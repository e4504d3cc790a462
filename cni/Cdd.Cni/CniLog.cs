namespace Cdd.Cni;

/// <summary>
/// Plain-text lines on stderr, one per event, "cdd-cni event=NAME key=value ...", greppable by event name.
/// stdout belongs to the runtime, so nothing else may ever write there.
/// </summary>
internal sealed class CniLog(TextWriter stderr, bool debug)
{
    public bool Debug { get; } = debug;

    public void Error(string evt, string text) => Write(evt, text);

    public void Trace(string evt, string text)
    {
        if (Debug) Write(evt, text);
    }

    private void Write(string evt, string text)
    {
        try
        {
            stderr.WriteLine($"cdd-cni event={evt} {text}");
            stderr.Flush();
        }
        catch (IOException)
        {
            // A runtime that closed our stderr must not turn a result into a failure.
        }
    }
}
