using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Missions.Benchmarks;

/// <summary>The real web frontend started as a process on 127.0.0.1 for a benchmark, on the embedded default.</summary>
static class WebFrontendProcess
{
    /// <summary>
    /// The built web frontend (<c>dotnet build -c Release</c>), or the one <c>MISSIONS_BENCH_WEB_DLL</c> names
    /// (another build, for an A/B of two builds in one sitting).
    /// </summary>
    public static string Dll() =>
        Environment.GetEnvironmentVariable("MISSIONS_BENCH_WEB_DLL") is { Length: > 0 } other
            ? other
            : Path.Combine(FindRoot(), "src", "WebFrontend", "bin", "Release", "net10.0", "Missions.WebFrontend.dll");

    /// <summary>
    /// Starts it over <paramref name="dataDirectory"/> with the noop executor, free ports and warnings-only logging,
    /// <paramref name="settings"/> on top; its output is read and dropped. Returns the process and its HTTP port.
    /// </summary>
    public static (Process Process, int Port) Start(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["Missions__DataDirectory"] = dataDirectory,
            ["Missions__Execution__Executor"] = "noop",
            ["Missions__Orleans__SiloPort"] = FreePort().ToString(),
            ["Missions__Orleans__GatewayPort"] = FreePort().ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return (StartDll(Dll(), environment, output: null, "--urls", $"http://127.0.0.1:{port}"), port);
    }

    /// <summary>Runs a built app (<c>dotnet app.dll args</c>) with <paramref name="environment"/>; each line it writes goes to <paramref name="output"/>, or is dropped.</summary>
    public static Process StartDll(string dll, IReadOnlyDictionary<string, string> environment, Action<string>? output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{dll} did not start");
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { output?.Invoke(line); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { output?.Invoke(line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Orleans.sln");
    }
}
