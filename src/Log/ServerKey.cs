using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Security.Cryptography;

namespace Missions.Log;

/// <summary>
/// The server's secret key for the ids it makes from what clients send (<see cref="Ids.NewSessionId"/>,
/// <see cref="Ids.MissionIdFor"/>): 32 random bytes made once and shared by every process of a deployment — a file
/// in the data directory on the embedded default and in standalone mode, a row of the store in cluster mode. Read at
/// first use and kept; losing it makes the conversations begun before unreachable by their owners, so back it up with
/// the logs.
/// </summary>
public sealed class ServerKey
{
    public const string FileName = "server.key";
    private const int Size = 32;

    private readonly Lazy<byte[]> _key;

    private ServerKey(Func<byte[]> load) => _key = new Lazy<byte[]>(load, LazyThreadSafetyMode.PublicationOnly); // a failed read (the store down) is tried again next time

    public ReadOnlySpan<byte> Key => _key.Value;

    /// <summary>A fixed key (tests).</summary>
    public static ServerKey Of(byte[] key) => new(() => key);

    /// <summary>A key another store keeps (<paramref name="load"/> is called at first use, and again after it failed).</summary>
    public static ServerKey LoadedBy(Func<byte[]> load) => new(load);

    /// <summary>The key's length in bytes.</summary>
    public const int Length = Size;

    /// <summary>The key in <c>server.key</c> of <paramref name="dataDirectory"/>, made there (readable by its owner only) the first time.</summary>
    public static ServerKey InDataDirectory(string dataDirectory) => new(() =>
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), FileName);
        if (File.Exists(path) && File.ReadAllBytes(path) is { Length: Size } existing)
        {
            return existing;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temporary, options))
        {
            file.Write(RandomNumberGenerator.GetBytes(Size));
            file.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false); // two processes starting at once: the first one's key wins
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
        return File.ReadAllBytes(path) is { Length: Size } key
            ? key
            : throw new InvalidOperationException($"{path} is not a key of {Size} bytes: restore it from a backup, or delete it (conversations begun before can no longer be named).");
    });
}

public static class ServerKeyServices
{
    /// <summary>
    /// The deployment's <see cref="ServerKey"/>: one a store registered before (cluster mode's, in PostgreSQL), else
    /// the one in the data directory; read as the process starts.
    /// </summary>
    public static IServiceCollection AddServerKey(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => ServerKey.InDataDirectory(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MissionsOptions>>().Value.DataDirectory));
        services.AddHostedService<Warmup>();
        return services;
    }

    /// <summary>Reads the key as the process starts (the store is up then, or start-up waits for it), not on the first request.</summary>
    private sealed class Warmup(ServerKey key) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.Run(() => key.Key.Length, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
