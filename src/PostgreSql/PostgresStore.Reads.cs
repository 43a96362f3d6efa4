using System.Text;
using Missions.Chat;
using Npgsql;

namespace Missions.PostgreSql;

/// <summary>The store's reads: a mission's events, the unfinished missions, a conversation's messages.</summary>
public sealed partial class PostgresStore
{
    public async ValueTask<IReadOnlyList<MissionEvent>> ReadStreamAsync(string streamId)
    {
        try
        {
            await using var command = _db.CreateCommand("SELECT line FROM mission_events WHERE mission_id = @id ORDER BY seq");
            command.Parameters.AddWithValue("id", streamId);
            var events = new List<MissionEvent>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                events.Add(MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(reader.GetString(0))));
            }
            return events;
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable("read", ex);
        }
    }

    public async ValueTask<IReadOnlyList<(string MissionId, MissionPriority Priority)>> UnfinishedAsync(DateTime dueBy)
    {
        try
        {
            await using var command = _db.CreateCommand(
                "SELECT mission_id, priority FROM missions WHERE created AND status <> ALL(@not_runnable) AND not_before <= @due ORDER BY ord");
            command.Parameters.AddWithValue("not_runnable", NotRunnable);
            command.Parameters.AddWithValue("due", dueBy.Ticks);
            var unfinished = new List<(string, MissionPriority)>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                unfinished.Add((reader.GetString(0), (MissionPriority)reader.GetInt16(1)));
            }
            return unfinished;
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable("read", ex);
        }
    }

    public ValueTask<IReadOnlyList<string>> ActiveAsync() =>
        IdsAsync("SELECT mission_id FROM missions WHERE created AND status = @p ORDER BY ord", MissionStatus.Active.ToWireName());

    public ValueTask<IReadOnlyList<string>> ProposedAsync() =>
        IdsAsync("SELECT mission_id FROM missions WHERE created AND status = @p ORDER BY ord", MissionStatus.Proposed.ToWireName());

    public ValueTask<IReadOnlyList<string>> SchedulesAsync() =>
        IdsAsync("SELECT mission_id FROM missions WHERE NOT created AND starts_with(mission_id, @p) ORDER BY ord", ScheduleIds.Prefix);

    private async ValueTask<IReadOnlyList<string>> IdsAsync(string sql, string parameter)
    {
        try
        {
            await using var command = _db.CreateCommand(sql);
            command.Parameters.AddWithValue("p", parameter);
            var proposed = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                proposed.Add(reader.GetString(0));
            }
            return proposed;
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable("read", ex);
        }
    }

    ValueTask<IReadOnlyList<ChatMessage>> IEventStore<ChatMessage>.ReadStreamAsync(string sessionId) => ReadAsync(sessionId, 0, int.MaxValue);

    public async ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, int from, int count)
    {
        try
        {
            await using var command = _db.CreateCommand("SELECT line FROM chat_messages WHERE session_id = @id AND seq > @from ORDER BY seq LIMIT @count");
            command.Parameters.AddWithValue("id", sessionId);
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("count", (long)count);
            var messages = new List<ChatMessage>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                messages.Add(ChatLog.ParseOrNull(Encoding.UTF8.GetBytes(reader.GetString(0))) ?? throw new InvalidDataException("A chat row is not a message."));
            }
            return messages;
        }
        catch (NpgsqlException ex)
        {
            throw Unavailable("read", ex);
        }
    }
}
