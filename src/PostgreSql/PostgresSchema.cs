using Npgsql;

namespace Missions.PostgreSql;

/// <summary>
/// The store's own schema in PostgreSQL, created and migrated at start, idempotently: every process runs it, one at a
/// time (an advisory lock), and each version's script runs once. A database whose schema is newer than this build
/// knows is refused: an older build must not write rows a newer one reads differently. The version moves with the
/// tables (what a row may hold); a new kind of line in a stream does not move it, because every build keeps a line of
/// a type it does not know verbatim and passes over it (<see cref="UnknownEvent"/>) — so two builds of one schema
/// version can share a store through a rolling upgrade, and only a change of the tables stops the older one.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The schema version this build writes.</summary>
    public const int Version = 2;

    /// <summary>Serializes migrations across processes (an arbitrary, fixed advisory-lock key).</summary>
    private const long MigrationLock = 0x4d697373_696f6e73; // "Missions"

    private static readonly string[] Scripts =
    [
        // 1: the mission stream, its per-mission state for the queue, the chat stream, the tool-call ledger.
        """
        CREATE TABLE mission_events (
            position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            mission_id text NOT NULL,
            seq        integer NOT NULL,
            line       text NOT NULL,
            UNIQUE (mission_id, seq)
        );
        CREATE TABLE missions (
            mission_id text PRIMARY KEY,
            ord        bigint GENERATED ALWAYS AS IDENTITY,
            version    integer NOT NULL,
            created    boolean NOT NULL,
            status     text NOT NULL,
            priority   smallint NOT NULL,
            not_before bigint NOT NULL
        );
        CREATE INDEX missions_unfinished ON missions (ord)
            WHERE created AND status NOT IN ('completed', 'failed', 'cancelled', 'timed_out');
        CREATE TABLE chat_messages (
            position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id text NOT NULL,
            seq        integer NOT NULL,
            line       text NOT NULL,
            UNIQUE (session_id, seq)
        );
        CREATE TABLE tool_calls (
            mission_id text NOT NULL,
            key        text NOT NULL,
            result     text NOT NULL,
            saved_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (mission_id, key)
        );
        """,
        // 2: the server's keys: the one its ids are made with, and ASP.NET Core's Data Protection keys (cookies, antiforgery).
        """
        CREATE TABLE missions_secrets (
            name  text PRIMARY KEY,
            value bytea NOT NULL
        );
        CREATE TABLE data_protection_keys (
            id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            friendly_name text,
            xml           text NOT NULL
        );
        """,
    ];

    /// <summary>
    /// Creates or migrates the schema up to <see cref="Version"/> (or <paramref name="upTo"/>: the schema an older build
    /// made, for tests of a migration); throws <see cref="StoreUnavailableException"/> with what went wrong.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlDataSource db, int upTo = Version, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(@lock); CREATE TABLE IF NOT EXISTS missions_schema (version integer NOT NULL);", connection, transaction))
        {
            command.Parameters.AddWithValue("lock", MigrationLock);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        int current;
        await using (var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM missions_schema", connection, transaction))
        {
            current = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        if (current > Version)
        {
            throw new StoreUnavailableException(
                $"The PostgreSQL database {connection.Database} on {connection.Host}:{connection.Port} has Missions schema version {current}; " +
                $"this build knows versions up to {Version}. Run a newer build of Missions against it, or point Missions:Store:PostgreSql at another database.");
        }
        for (var version = current + 1; version <= Math.Min(upTo, Version); version++)
        {
            await using var command = new NpgsqlCommand(Scripts[version - 1] + "; DELETE FROM missions_schema; INSERT INTO missions_schema VALUES (@version);", connection, transaction);
            command.Parameters.AddWithValue("version", version);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
