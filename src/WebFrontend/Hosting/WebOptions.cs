using Microsoft.Extensions.Options;
using Missions.Hosting;
using Missions.Web.Chat;
using Missions.Web.People;

namespace Missions.Web.Hosting;

/// <summary>The web frontend's options, bound once and checked as it starts (see <see cref="MissionsOptionsServices"/>).</summary>
public static class WebOptions
{
    public static IServiceCollection AddWebOptions(this IServiceCollection services, IConfiguration configuration) =>
        services.Bound<AuthOptions, AuthRules>(configuration, AuthOptions.Section)
            .Bound<PersonLimits, LimitRules>(configuration, PersonLimits.Section)
            .Bound<IntakeOptions, IntakeRules>(configuration, IntakeOptions.Section);

    /// <summary>The sign-in options' rules, for a caller that reads them before the host is built.</summary>
    public static ValidateOptionsResult Check(AuthOptions options) => new AuthRules().Validate(null, options);

    private sealed class AuthRules : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options)
        {
            const string s = AuthOptions.Section;
            var failures = new List<string>();
            if (options.SignInConfigured)
            {
                if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
                {
                    failures.Add($"{s}:Authority is '{options.Authority}', which is no http(s) URL; give the provider's issuer, e.g. https://id.example.org/realms/team.");
                }
                else if (authority.Scheme == "http" && options.RequireHttpsMetadata)
                {
                    failures.Add($"{s}:Authority is plain HTTP; use https, or set {s}:RequireHttpsMetadata=false for a provider on loopback.");
                }
                if (string.IsNullOrWhiteSpace(options.ClientId))
                {
                    failures.Add($"{s}:ClientId is missing: with {s}:Authority set, name this service's client at the provider.");
                }
            }
            foreach (var (key, value) in new[] { ("PersonClaim", options.PersonClaim), ("NameClaim", options.NameClaim), ("RoleClaim", options.RoleClaim), ("OperatorRole", options.OperatorRole) })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    failures.Add($"{s}:{key} must not be empty.");
                }
            }
            return MissionsOptionsServices.Result(failures);
        }
    }

    private sealed class LimitRules : IValidateOptions<PersonLimits>
    {
        public ValidateOptionsResult Validate(string? name, PersonLimits options)
        {
            const string s = PersonLimits.Section;
            var failures = new List<string>();
            MissionsOptionsServices.AtLeast(failures, $"{s}:WaitingPerPerson", options.WaitingPerPerson, 0);
            MissionsOptionsServices.AtLeast(failures, $"{s}:SchedulesPerPerson", options.SchedulesPerPerson, 0);
            MissionsOptionsServices.AtLeast(failures, $"{s}:StreamsPerPerson", options.StreamsPerPerson, 0);
            MissionsOptionsServices.AtLeast(failures, $"{s}:RequestsPerSecond", options.RequestsPerSecond, 1);
            MissionsOptionsServices.AtLeast(failures, $"{s}:RequestBurst", options.RequestBurst, 1);
            return MissionsOptionsServices.Result(failures);
        }
    }

    private sealed class IntakeRules : IValidateOptions<IntakeOptions>
    {
        public ValidateOptionsResult Validate(string? name, IntakeOptions options)
        {
            var failures = new List<string>();
            MissionsOptionsServices.AtLeast(failures, $"{IntakeOptions.Section}:MaxQueued", options.MaxQueued, 0);
            MissionsOptionsServices.AtLeast(failures, $"{IntakeOptions.Section}:RetryAfterSeconds", options.RetryAfterSeconds, 1);
            return MissionsOptionsServices.Result(failures);
        }
    }
}
