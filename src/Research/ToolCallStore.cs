using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Missions.Log;

namespace Missions.Research;

/// <summary>
/// What a mission's tool calls returned, kept by idempotency key, so a retried attempt — after a crash, a transient
/// failure or a person's retry — reuses a page an earlier attempt fetched instead of fetching it again: the research
/// agent's workspace (<see cref="IMissionWorkspace"/>). A call that cannot be kept or read back is fetched again.
/// </summary>
public interface IToolCallStore : IMissionWorkspace
{
    Task<PageContent?> TryGetAsync(string missionId, string key, CancellationToken cancellationToken);

    Task PutAsync(string missionId, string key, PageContent content, CancellationToken cancellationToken);
}

/// <summary>
/// The tool-call store on disk (<c>tool-calls/{mission}/{key}.json</c> in the data directory): the embedded default. In cluster
/// mode it is <see cref="PostgresToolCalls"/>, so an attempt re-run on another silo finds what the first one fetched.
/// </summary>
public sealed partial class ToolCallStore(IOptions<MissionsOptions> options, ILogger<ToolCallStore> logger) : IToolCallStore
{
    public const string DirectoryName = "tool-calls";

    private string Root => options.Value.PathOf(DirectoryName);

    /// <summary>The key of a call: the same mission, tool and input give the same key on every attempt.</summary>
    public static string KeyOf(string missionId, string tool, string input)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{missionId}\n{tool}\n{input}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    public async Task<PageContent?> TryGetAsync(string missionId, string key, CancellationToken cancellationToken)
    {
        var path = PathOf(missionId, key);
        try
        {
            await using var file = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync(file, ToolCallJsonContext.Default.PageContent, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            LogUnreadable(logger, ex, path);
            return null; // fetched again
        }
    }

    /// <summary>Keeps a call's result: written whole to a temporary file, flushed to disk, then renamed into place.</summary>
    public async Task PutAsync(string missionId, string key, PageContent content, CancellationToken cancellationToken)
    {
        var path = PathOf(missionId, key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(file, content, ToolCallJsonContext.Default.PageContent, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException ex)
        {
            // Only an optimisation for a later attempt: the page was read, the mission goes on.
            LogNotKept(logger, ex, path);
        }
    }

    public Task ForgetAsync(string missionId)
    {
        Forget(missionId);
        return Task.CompletedTask;
    }

    public Task<int> SweepOlderThanAsync(TimeSpan age) => Task.FromResult(SweepOlderThan(age));

    public void Forget(string missionId)
    {
        try
        {
            var directory = Path.Combine(Root, missionId);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            LogNotKept(logger, ex, missionId);
        }
    }

    /// <summary>
    /// Deletes what missions kept longer ago than <paramref name="age"/>, whatever became of them (a mission that
    /// ended while its process was down, one abandoned for good): the store must not grow for ever. Returns how many.
    /// </summary>
    public int SweepOlderThan(TimeSpan age)
    {
        var swept = 0;
        var before = DateTime.UtcNow - age;
        try
        {
            if (!Directory.Exists(Root))
            {
                return 0;
            }
            foreach (var directory in Directory.EnumerateDirectories(Root))
            {
                if (Directory.GetLastWriteTimeUtc(directory) < before)
                {
                    Directory.Delete(directory, recursive: true);
                    swept++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotKept(logger, ex, Root);
        }
        return swept;
    }

    private string PathOf(string missionId, string key) =>
        Ids.IsValid(missionId) ? Path.Combine(Root, missionId, key + ".json") : throw new ArgumentException("Not a mission id.", nameof(missionId));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A kept tool call at {Path} cannot be read; fetching again")]
    private static partial void LogUnreadable(ILogger logger, Exception ex, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A tool call's result could not be kept or dropped ({Path})")]
    private static partial void LogNotKept(ILogger logger, Exception ex, string path);
}

/// <summary>
/// The ledger in the store (cluster mode): rows of <c>tool_calls</c> by mission and key, shared by every silo, so an
/// attempt re-run on another silo after a silo died reuses the pages the first one fetched.
/// </summary>
public sealed partial class PostgresToolCalls(Npgsql.NpgsqlDataSource db, ILogger<PostgresToolCalls> logger) : IToolCallStore
{
    public async Task<PageContent?> TryGetAsync(string missionId, string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = db.CreateCommand("SELECT result FROM tool_calls WHERE mission_id = @m AND key = @k");
            command.Parameters.AddWithValue("m", missionId);
            command.Parameters.AddWithValue("k", key);
            return await command.ExecuteScalarAsync(cancellationToken) is string json
                ? JsonSerializer.Deserialize(json, ToolCallJsonContext.Default.PageContent)
                : null;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or JsonException)
        {
            LogUnavailable(logger, ex, missionId);
            return null; // fetched again
        }
    }

    public async Task PutAsync(string missionId, string key, PageContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = db.CreateCommand(
                "INSERT INTO tool_calls (mission_id, key, result) VALUES (@m, @k, @r) ON CONFLICT (mission_id, key) DO UPDATE SET result = EXCLUDED.result, saved_at = now()");
            command.Parameters.AddWithValue("m", missionId);
            command.Parameters.AddWithValue("k", key);
            command.Parameters.AddWithValue("r", JsonSerializer.Serialize(content, ToolCallJsonContext.Default.PageContent));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            LogUnavailable(logger, ex, missionId); // the page was read, the mission goes on
        }
    }

    public async Task ForgetAsync(string missionId)
    {
        try
        {
            await using var command = db.CreateCommand("DELETE FROM tool_calls WHERE mission_id = @m");
            command.Parameters.AddWithValue("m", missionId);
            await command.ExecuteNonQueryAsync();
        }
        catch (Npgsql.NpgsqlException ex)
        {
            LogUnavailable(logger, ex, missionId); // swept after the retention
        }
    }

    public async Task<int> SweepOlderThanAsync(TimeSpan age)
    {
        try
        {
            await using var command = db.CreateCommand(
                "WITH gone AS (DELETE FROM tool_calls WHERE mission_id IN (SELECT mission_id FROM tool_calls GROUP BY mission_id HAVING max(saved_at) < now() - @age) RETURNING mission_id) SELECT count(DISTINCT mission_id) FROM gone");
            command.Parameters.AddWithValue("age", age);
            return Convert.ToInt32(await command.ExecuteScalarAsync());
        }
        catch (Npgsql.NpgsqlException ex)
        {
            LogUnavailable(logger, ex, "(sweep)");
            return 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store's tool-call ledger could not be used for {MissionId}; fetching again if needed")]
    private static partial void LogUnavailable(ILogger logger, Exception ex, string missionId);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PageContent))]
internal sealed partial class ToolCallJsonContext : JsonSerializerContext;
