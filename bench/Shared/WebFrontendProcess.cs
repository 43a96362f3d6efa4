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
        var dll = Dll();
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Missions__DataDirectory"] = dataDirectory;
        start.Environment["Missions__Execution__Executor"] = "noop";
        start.Environment["Missions__Orleans__SiloPort"] = FreePort().ToString();
        start.Environment["Missions__Orleans__GatewayPort"] = FreePort().ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, port);
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
