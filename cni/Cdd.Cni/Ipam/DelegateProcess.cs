using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Ipam;

/// <summary>Runs one plugin binary the way a runtime does: no shell, no arguments, env and stdin only.</summary>
internal static class DelegateProcess
{
    private const int StderrTailChars = 2048;

    /// <summary>Throws code 11 when the plugin does not finish in time; <see cref="Win32Exception"/> when it cannot start.</summary>
    public static DelegateOutput Run(string path, IReadOnlyDictionary<string, string?> env, byte[] stdin, TimeSpan timeout, string label)
    {
        var psi = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Start from nothing: the delegate gets the runtime's environment as we received it, which in tests is not ours.
        psi.Environment.Clear();
        foreach (var (key, value) in env)
            if (value is not null) psi.Environment[key] = value;

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new Win32Exception($"{path} did not start");
        var stdoutTask = DrainAsync(process.StandardOutput.BaseStream);
        var stderrTask = DrainAsync(process.StandardError.BaseStream);
        // Fed in the background: a plugin that never reads stdin must not block us past the timeout.
        var stdinTask = FeedAsync(process.StandardInput.BaseStream, stdin);

        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
            process.WaitForExit();
            throw new CniException(CniErrorCodes.TryAgainLater,
                $"{label} did not finish within {timeout.TotalSeconds:0.###}s and was killed");
        }

        // The pipes close when the plugin exits unless it left a child holding them; do not wait on such a child forever.
        var left = timeout - watch.Elapsed;
        if (!Task.WaitAll([stdoutTask, stderrTask], left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)))
            throw new CniException(CniErrorCodes.TryAgainLater, $"{label} exited but a child of it kept its output open");
        _ = stdinTask.Exception; // a plugin that exits without reading stdin breaks the pipe; its exit code tells the story

        return new DelegateOutput(process.ExitCode, stdoutTask.Result, Tail(stderrTask.Result));
    }

    private static async Task<byte[]> DrainAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task FeedAsync(Stream stream, byte[] data)
    {
        try
        {
            await stream.WriteAsync(data).ConfigureAwait(false);
        }
        finally
        {
            try { stream.Dispose(); } catch (IOException) { /* broken pipe on close */ }
        }
    }

    private static string Tail(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes).TrimEnd();
        return text.Length <= StderrTailChars ? text : "..." + text[^StderrTailChars..];
    }
}
