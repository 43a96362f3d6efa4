using System.Diagnostics;
using System.Net.Sockets;

namespace Missions.Tests.Support;

/// <summary>A private Redis (Debian's package) on a free loopback port, its files in a temp directory; restartable.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "missions-redis-" + Guid.NewGuid().ToString("N"));
    private Process? _server;

    public int Port { get; } = FreePort.Next();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/redis-server"))
        {
            throw new InvalidOperationException("Redis is not installed: the README's test command installs Debian's redis-server package.");
        }
        Directory.CreateDirectory(_root);
        await StartAsync();
    }

    /// <summary>Starts the server (again), with its data (an append-only file) where it left it.</summary>
    public async Task StartAsync()
    {
        _server = Process.Start(new ProcessStartInfo("/usr/bin/redis-server",
            $"--port {Port} --bind 127.0.0.1 --dir {_root} --appendonly yes --save \"\" --protected-mode no")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(20), "Redis to accept connections");
    }

    /// <summary>Stops the server at once (SIGKILL).</summary>
    public async Task KillAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Redis and PostgreSQL for the cluster tests, started once for the collection.</summary>
public sealed class ClusterServers : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public PostgresServer Postgres { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Redis.InitializeAsync(), Postgres.InitializeAsync());

    public Task DisposeAsync() => Task.WhenAll(Redis.DisposeAsync(), Postgres.DisposeAsync());
}

[CollectionDefinition(Name)]
public sealed class ClusterServersCollection : ICollectionFixture<ClusterServers>
{
    public const string Name = "cluster servers";
}
