namespace Missions.Hosting;

/// <summary>Where the silo listens and where clients find it (<c>Missions:Orleans</c>).</summary>
public sealed class OrleansEndpointOptions
{
    public const string Section = "Missions:Orleans";

    /// <summary><c>embedded</c> (the web frontend hosts the silo) or <c>client</c> (it connects to a standalone silo).</summary>
    public string Mode { get; set; } = "embedded";

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>In client mode: the silo gateways to connect to, as <c>host:port</c>, comma-separated.</summary>
    public string Gateways { get; set; } = "localhost:30000";

    public string ClusterId { get; set; } = "missions";
    public string ServiceId { get; set; } = "missions";

    public bool IsClient => string.Equals(Mode, "client", StringComparison.OrdinalIgnoreCase);
}
