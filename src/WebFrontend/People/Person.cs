using System.Security.Claims;

namespace Missions.Web.People;

/// <summary>Who is asking: their id (the owner recorded on what they make), a name to show, and whether they operate the service.</summary>
public sealed record Person(string Id, string Name, bool IsOperator)
{
    /// <summary>The person at the machine, with no sign-in configured: owns everything, as before owners were recorded.</summary>
    public static readonly Person Local = new(Owners.Local, "you", IsOperator: true);

    /// <summary>The one local owner: the service's own limits bound them, not a person's (there is nobody to share with).</summary>
    public bool IsLocal => Id == Owners.Local;

    /// <summary>True when this person may see (and steer) what <paramref name="owner"/> owns; an unknown owner (nothing there) never.</summary>
    public bool MaySee(string? owner) => owner is not null && (IsOperator || owner == Id);
}

public static class PersonClaims
{
    /// <summary>The claim our sign-in adds: the person's id (<see cref="Owners.PersonId"/>).</summary>
    public const string PersonId = "missions:person";

    public const string Operator = "missions:operator";

    /// <summary>The person of a request that passed authentication (every Missions endpoint requires it).</summary>
    public static Person Person(this HttpContext context) => context.User.Person() ?? throw new InvalidOperationException("The request was not authenticated.");

    public static Person? Person(this ClaimsPrincipal user) =>
        user.FindFirst(PersonId)?.Value is { } id
            ? new Person(id, user.Identity?.Name ?? id, user.HasClaim(Operator, "true"))
            : null;

    /// <summary>
    /// Adds our claims to a principal from the provider (a cookie sign-in or a bearer token): the person's id from the
    /// issuer and the person claim, whether they are an operator. False when the token names no person.
    /// </summary>
    public static bool AddMissionsClaims(ClaimsPrincipal principal, AuthOptions options)
    {
        if (principal.Identity is not ClaimsIdentity identity || principal.FindFirst(options.PersonClaim) is not { } subject || string.IsNullOrEmpty(subject.Value))
        {
            return false;
        }
        if (identity.FindFirst(PersonId) is null)
        {
            identity.AddClaim(new Claim(PersonId, Owners.PersonId(subject.Issuer, subject.Value)));
        }
        var isOperator = principal.Claims.Any(c => c.Type == options.RoleClaim && RoleValues(c.Value).Contains(options.OperatorRole));
        if (isOperator && !identity.HasClaim(Operator, "true"))
        {
            identity.AddClaim(new Claim(Operator, "true"));
        }
        return true;
    }

    /// <summary>A role claim holds one role, or (some providers) a JSON array or a space-separated list of them.</summary>
    private static IEnumerable<string> RoleValues(string value) =>
        value.Trim().StartsWith('[')
            ? value.Trim('[', ']', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.Trim('"'))
            : value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
