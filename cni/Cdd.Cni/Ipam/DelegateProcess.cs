using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Ipam;

/// <summary>Runs one plugin binary the way a runtime does: no shell, no arguments, env and stdin only.</summary>
internal static class DelegateProcess
{
    private const int StderrTailChars = 2048;

    /// <summary>
    /// cdd-cni itself, when that is what runs: delegates then start through its exec trampoline so that they die
    /// with it (<see cref="Cdd.Native.ParentDeath"/>). In-process hosts (tests) start them directly.
    /// </summary>
    private static readonly string? Trampoline =
        System.IO.Path.GetFileName(Environment.ProcessPath) == "cdd-cni" ? Environment.ProcessPath : null;

    /// <summary>Throws code 11 when the plugin does not finish in time; <see cref="Win32Exception"/> when it cannot start.</summary>
    public static DelegateOutput Run(string path, IReadOnlyDictionary<string, string?> env, byte[] stdin, TimeSpan timeout, string label)
    {
        // Only our own cdd-ipam is tied: killed at any point it leaves a whole reservation or none. A foreign plugin
        // (host-local writes its address file after creating it) killed mid-claim leaves an empty file no DEL can match,
        // so it runs to its end when we are killed; it inherits the attachment lock, so the runtime's DEL waits for it.
        string? trampoline = System.IO.Path.GetFileName(path) == "cdd-ipam" ? Trampoline : null;
        var psi = new ProcessStartInfo(trampoline ?? path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (trampoline is not null)
        {
            psi.ArgumentList.Add(Cdd.Native.ParentDeath.TrampolineFlag);
            psi.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(path);
        }
        // Start from nothing: the delegate gets the runtime's environment as we received it, which in tests is not ours.
        psi.Environment.Clear();
        foreach (var (key, value) in env)
            if (value is not null) psi.Environment[key] = value;

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new Win32Exception($"{path} did not start");
        // Plain threads, not tasks: starting the thread pool costs milliseconds on a path that runs on every pod start.
        var stdout = Drain(process.StandardOutput.BaseStream, "ipam-stdout");
        var stderr = Drain(process.StandardError.BaseStream, "ipam-stderr");
        // Fed on its own thread: a plugin that never reads stdin must not block us past the timeout.
        var feeder = new Thread(() => Feed(process.StandardInput.BaseStream, stdin), 64 * 1024) { IsBackground = true, Name = "ipam-stdin" };
        feeder.Start();

        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
            process.WaitForExit();
            throw new CniException(CniErrorCodes.TryAgainLater,
                $"{label} did not finish within {timeout.TotalSeconds:0.###}s and was killed");
        }

        // The pipes close when the plugin exits unless it left a child holding them; do not wait on such a child forever.
        var left = timeout - watch.Elapsed;
        var deadline = Stopwatch.GetTimestamp() + (long)((left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)).TotalSeconds * Stopwatch.Frequency);
        if (!stdout.Thread.Join(Remaining(deadline)) || !stderr.Thread.Join(Remaining(deadline)))
            throw new CniException(CniErrorCodes.TryAgainLater, $"{label} exited but a child of it kept its output open");
        // A plugin that exits without reading stdin breaks the pipe; its exit code tells the story. The feeder must be
        // done before the process (and with it the pipe) is disposed, or it writes into a closed stream.
        feeder.Join(Remaining(deadline));

        return new DelegateOutput(process.ExitCode, stdout.Bytes, Tail(stderr.Bytes));
    }

    private static TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    private sealed class Drained
    {
        public required Thread Thread { get; init; }
        public byte[] Bytes { get; set; } = [];
    }

    private static Drained Drain(Stream stream, string name)
    {
        Drained? drained = null;
        var thread = new Thread(() =>
        {
            using var buffer = new MemoryStream();
            try
            {
                stream.CopyTo(buffer);
            }
            catch (IOException)
            {
                // the pipe broke: keep what arrived
            }
            drained!.Bytes = buffer.ToArray();
        }, 64 * 1024) { IsBackground = true, Name = name };
        drained = new Drained { Thread = thread };
        thread.Start();
        return drained;
    }

    private static void Feed(Stream stream, byte[] data)
    {
        try
        {
            stream.Write(data);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // the plugin exited without reading everything (or we gave up on it and disposed the pipe)
        }
        finally
        {
            try { stream.Dispose(); } catch (Exception ex) when (ex is IOException or ObjectDisposedException) { /* broken pipe on close */ }
        }
    }

    private static string Tail(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes).TrimEnd();
        return text.Length <= StderrTailChars ? text : "..." + text[^StderrTailChars..];
    }
}
