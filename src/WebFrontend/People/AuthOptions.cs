namespace Missions.Web.People;

/// <summary>
/// Who may use the service (<c>Missions:Auth</c>). With an <see cref="Authority"/>, people sign in through OpenID
/// Connect (the page keeps a cookie) and scripts send a JWT bearer token from the same provider; without one, the
/// service is for the person at the machine (the local owner), and it refuses to listen beyond loopback unless
/// <see cref="DangerouslyAllowAnonymousNetworkAccess"/> says otherwise.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Missions:Auth";

    /// <summary>The OpenID Connect provider (its issuer URL); empty: no sign-in, the local owner only.</summary>
    public string? Authority { get; set; }

    /// <summary>This service's client id at the provider (the page's sign-in).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client's secret: give it in the environment (<c>Missions__Auth__ClientSecret</c>), never in a file.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The audience API tokens must be issued for; empty: any audience the provider signs (the issuer is still checked).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that names a person (with the token's issuer it makes their id).</summary>
    public string PersonClaim { get; set; } = "sub";

    /// <summary>The claim shown as a person's name.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>The claim that carries roles, and the role that makes an operator (sees and steers everything, the dashboard and metrics).</summary>
    public string RoleClaim { get; set; } = "role";

    public string OperatorRole { get; set; } = "missions-operator";

    /// <summary>Scopes asked at sign-in besides <c>openid</c>.</summary>
    public string Scopes { get; set; } = "profile roles";

    /// <summary>False only for a provider on plain HTTP (a test provider on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// Listen beyond loopback with no sign-in: everyone who reaches the port is the one local owner and sees and steers
    /// everything. For a trusted network behind your own authenticating proxy only.
    /// </summary>
    public bool DangerouslyAllowAnonymousNetworkAccess { get; set; }

    public bool SignInConfigured => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>What one person may take of the service (<c>Missions:Limits</c>); a refusal is 429 with <c>Retry-After</c>.</summary>
public sealed class PersonLimits
{
    public const string Section = "Missions:Limits";

    /// <summary>Missions a person may have waiting at once (queued, or proposed and not yet decided).</summary>
    public int WaitingPerPerson { get; set; } = 200;

    /// <summary>Schedules a person may keep at once.</summary>
    public int SchedulesPerPerson { get; set; } = 20;

    /// <summary>Live streams a person may hold open at once (a page holds one).</summary>
    public int StreamsPerPerson { get; set; } = 8;

    /// <summary>Requests a person may make a second, on average, and in a burst.</summary>
    public int RequestsPerSecond { get; set; } = 20;

    public int RequestBurst { get; set; } = 100;
}
