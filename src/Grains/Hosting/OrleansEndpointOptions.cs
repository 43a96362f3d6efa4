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

    /// <summary>
    /// The name or address other machines reach this silo by (a container's service name, say). Empty: a silo
    /// for this machine only, on loopback. Set: the silo listens on all interfaces and advertises this address.
    /// </summary>
    public string AdvertisedHost { get; set; } = "";

    /// <summary>
    /// In client mode: how long a call to the silos may take, in seconds, before the request is answered 503 with
    /// <c>Retry-After</c> (Orleans' default is 30 s, longer than a person waits and than a frozen silo takes to be
    /// declared dead).
    /// </summary>
    public double ClientResponseTimeoutSeconds { get; set; } = 10;

    public string ClusterId { get; set; } = "missions";
    public string ServiceId { get; set; } = "missions";

    public bool IsClient => string.Equals(Mode, "client", StringComparison.OrdinalIgnoreCase);
}
