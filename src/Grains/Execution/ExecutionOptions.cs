namespace Missions.Execution;

/// <summary>How missions run (<c>Missions:Execution</c>).</summary>
public sealed class ExecutionOptions
{
    public const string Section = "Missions:Execution";

    /// <summary>The research agent's name (<c>Missions.Research</c>), the default executor.</summary>
    public const string ResearchExecutor = "web";

    /// <summary>The executor for every objective type without its own entry in <see cref="Executors"/>.</summary>
    public string Executor { get; set; } = ResearchExecutor;

    /// <summary>Executor per objective type, e.g. <c>"summarize": "web"</c>.</summary>
    public Dictionary<string, string> Executors { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Missions that may run at once.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// The execution queue's partitions (1: one grain). A cluster may split it so that a frozen silo stops only its
    /// partitions' starts: each mission belongs to one partition by its id, each partition has its share of
    /// <see cref="MaxConcurrency"/> and orders its own missions, and the partitions are placed on different silos.
    /// A partition does not lend its free slots to another. Change it with every silo stopped.
    /// </summary>
    public int QueuePartitions { get; set; } = 1;

    /// <summary>Missions waiting at most (the web's intake refuses new work past it); a schedule's firing past it is skipped. 0: no bound.</summary>
    public int MaxQueued { get; set; } = 10_000;

    /// <summary>Lets missions reach loopback and private addresses (tests with local sites; never on a public service).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public int RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>Pages larger than this are read up to this size.</summary>
    public int MaxResponseBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>The least time between two requests to one host (a site's robots.txt Crawl-delay, when longer, wins).</summary>
    public int PolitenessDelayMilliseconds { get; set; } = 500;

    public string UserAgent { get; set; } = "MissionsBot/1.0 (+https://github.com/missions)";

    /// <summary>Runs a mission gets when its failures are transient (network errors, 5xx, timeouts); 1 = no retries.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The first retry's backoff; each further one doubles it, with ±20 % jitter.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 2;

    /// <summary>How often the queue sweeps: expired leases, due retries, unfinished missions it does not know.</summary>
    public double QueueSweepSeconds { get; set; } = 5;

    /// <summary>A waiting mission gains one priority level for every this many seconds it waits (no starvation).</summary>
    public double AgeingSeconds { get; set; } = 30;

    /// <summary>On shutdown (SIGTERM), how long running missions may take to finish before they are left for the next start.</summary>
    public int ShutdownGraceSeconds { get; set; } = 20;

    /// <summary>How long the <c>delay</c> executor takes (load and crash tests).</summary>
    public int DelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How long a run may take to stop once its time is up or it is cancelled; past that its end is recorded
    /// without it (<c>timed_out</c> or <c>cancelled</c>, with the pages it had read) and its slot freed.
    /// </summary>
    public double StopGraceSeconds { get; set; } = 3;

    /// <summary>How long a mission's kept tool calls (fetched pages) stay on disk before they are swept, whatever became of it.</summary>
    public double ToolCallRetentionHours { get; set; } = 24;

    /// <summary>How long past a mission's own time budget the queue waits before it assumes its run was lost.</summary>
    public int LeaseGraceSeconds { get; set; } = 60;
}
