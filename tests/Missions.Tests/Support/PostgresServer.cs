using System.Diagnostics;
using Npgsql;

namespace Missions.Tests.Support;

/// <summary>
/// A private PostgreSQL (Debian's package) for a test collection: initdb in a temp directory, a server on a free
/// loopback port, stopped and removed afterwards. Each test asks for a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "missions-pg-" + Guid.NewGuid().ToString("N"));
    private Process? _server;

    public int Port { get; } = FreePort.Next();

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    /// <summary>
    /// <c>pg_dump --format=custom</c> of a database made by <see cref="CreateDatabaseAsync"/> into <paramref name="file"/>, as
    /// an operator backs the store up (docs/operations.md): a consistent snapshot while it is written.
    /// </summary>
    public Task DumpAsync(string connectionString, string file) =>
        RunAsync(Path.Combine(Bin, "pg_dump"), $"--format=custom --file={file} \"host=127.0.0.1 port={Port} user=postgres dbname={new NpgsqlConnectionStringBuilder(connectionString).Database}\"");

    /// <summary><c>pg_restore --no-owner</c> of a dump into a new database; its connection string.</summary>
    public async Task<string> RestoreAsync(string file)
    {
        var store = await CreateDatabaseAsync();
        await RunAsync(Path.Combine(Bin, "pg_restore"), $"--no-owner --dbname=\"host=127.0.0.1 port={Port} user=postgres dbname={new NpgsqlConnectionStringBuilder(store).Database}\" {file}");
        return store;
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
        {
            throw new InvalidOperationException("PostgreSQL is not installed: the README's test command installs Debian's postgresql package.");
        }
        Directory.CreateDirectory(_root);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", $"postgres:postgres {_root}");
        }
        await RunAsync(Command("initdb", asRoot), $"{Args(asRoot, "initdb")}-D {_root}/data -U postgres -A trust --no-sync -E UTF8");
        await StartServerAsync();
    }

    /// <summary>Stops the server (fast shutdown); for tests of an unavailable store.</summary>
    public async Task StopAsync()
    {
        if (_server is { HasExited: false })
        {
            await RunAsync(Command("pg_ctl", Environment.UserName == "root"), $"{Args(Environment.UserName == "root", "pg_ctl")}-D {_root}/data -m fast -w stop");
            await _server.WaitForExitAsync();
        }
    }

    /// <summary>Starts the server (again) on the same port and data.</summary>
    public async Task StartServerAsync()
    {
        var asRoot = Environment.UserName == "root";
        _server = Process.Start(new ProcessStartInfo(Command("postgres", asRoot),
            $"{Args(asRoot, "postgres")}-D {_root}/data -p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections=300")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(30), "PostgreSQL to accept connections");
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            var asRoot = Environment.UserName == "root";
            try
            {
                await RunAsync(Command("pg_ctl", asRoot), $"{Args(asRoot, "pg_ctl")}-D {_root}/data -m immediate -w stop");
            }
            catch (InvalidOperationException)
            {
                _server.Kill(entireProcessTree: true);
            }
            await _server.WaitForExitAsync();
        }
        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Command(string tool, bool asRoot) => asRoot ? "runuser" : Path.Combine(Bin, tool);

    private static string Args(bool asRoot, string tool) => asRoot ? $"-u postgres -- {Bin}/{tool} " : "";

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
