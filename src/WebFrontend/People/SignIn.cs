using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Missions.Web.Hosting;
using Missions.Web.Http;

namespace Missions.Web.People;

/// <summary>
/// Who is asking, with the framework's authentication: the page signs in through OpenID Connect and keeps a cookie,
/// scripts send a JWT bearer token from the same provider, and with no provider configured the person at the machine
/// is the local owner (and the server keeps to loopback). Every Missions endpoint requires a person
/// (<see cref="PersonPolicy"/>); the dashboard and metrics an operator.
/// </summary>
public static class SignIn
{
    public const string PersonPolicy = "person";
    public const string OperatorPolicy = "operator";

    /// <summary>The scheme that picks the bearer token handler for a request that carries one, else the cookie.</summary>
    private const string Selector = "missions";
    private const string LocalScheme = "local";

    /// <summary>The header the page sends its antiforgery token in.</summary>
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static WebApplicationBuilder AddMissionsSignIn(this WebApplicationBuilder builder, string? storeConnectionString)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(AuthOptions.Section);
        var options = section.Get<AuthOptions>() ?? new AuthOptions();
        services.AddWebOptions(builder.Configuration);
        // Read now (it decides which handlers there are), so checked now: the handlers would fail later with less to say.
        if (WebOptions.Check(options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), invalid.Failures);
        }

        if (!options.SignInConfigured && !options.DangerouslyAllowAnonymousNetworkAccess && !ManagementSurfaces.AllLoopback(builder.Configuration, defaultIsLoopback: true))
        {
            throw new SignInRequiredException(
                "This server listens beyond loopback but no sign-in is configured, so anyone who reaches it would be its owner. " +
                "Set Missions:Auth:Authority (your OpenID Connect provider) and Missions:Auth:ClientId, with the secret in the environment " +
                "(Missions__Auth__ClientSecret) — see the README, \"Running it for a team\" — or listen on 127.0.0.1 only. " +
                "To accept anonymous use anyway (behind your own authenticating proxy), set Missions:Auth:DangerouslyAllowAnonymousNetworkAccess=true.");
        }

        services.AddMissionsDataProtection(builder.Configuration, storeConnectionString);
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = AntiforgeryHeader;
            antiforgery.Cookie.Name = "missions.antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(PersonPolicy, policy => policy.RequireClaim(PersonClaims.PersonId))
            .AddPolicy(OperatorPolicy, policy => policy.RequireClaim(PersonClaims.Operator, "true"));

        if (!options.SignInConfigured)
        {
            return builder; // the local owner: nobody to authenticate (see UseMissionsSignIn)
        }

        services.AddAuthentication(auth =>
            {
                auth.DefaultScheme = Selector;
                auth.DefaultChallengeScheme = Selector;
            })
            .AddPolicyScheme(Selector, "Missions", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "missions.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
                cookie.SlidingExpiration = true;
                cookie.Events.OnRedirectToLogin = context => Unauthorized(context.HttpContext, null);
                cookie.Events.OnRedirectToAccessDenied = context => Forbidden(context.HttpContext);
            })
            .AddOpenIdConnect(oidc =>
            {
                oidc.Authority = options.Authority;
                oidc.ClientId = options.ClientId;
                oidc.ClientSecret = options.ClientSecret;
                oidc.RequireHttpsMetadata = options.RequireHttpsMetadata;
                oidc.ResponseType = OpenIdConnectResponseType.Code;
                oidc.ResponseMode = OpenIdConnectResponseMode.Query; // a same-site redirect back: the correlation cookies stay SameSite=Lax
                oidc.UsePkce = true;
                oidc.SaveTokens = false;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = true;
                oidc.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                oidc.CallbackPath = "/signin-oidc";
                oidc.SignedOutCallbackPath = "/signout-callback-oidc";
                oidc.NonceCookie.SameSite = oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
                oidc.NonceCookie.SecurePolicy = oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                oidc.Scope.Clear();
                oidc.Scope.Add("openid");
                foreach (var scope in options.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    oidc.Scope.Add(scope);
                }
                oidc.ClaimActions.MapAll(); // keep the provider's claims (the role among them) as they come
                oidc.TokenValidationParameters.NameClaimType = options.NameClaim;
                oidc.TokenValidationParameters.RoleClaimType = options.RoleClaim;
                oidc.Events.OnTicketReceived = context =>
                {
                    if (!PersonClaims.AddMissionsClaims(context.Principal!, options))
                    {
                        context.Fail($"The sign-in names no person (no '{options.PersonClaim}' claim).");
                    }
                    return Task.CompletedTask;
                };
                oidc.Events.OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    return Problems.Unauthorized("Sign-in failed", $"{Problems.Shorten(context.Failure?.Message ?? "The provider refused.", 300)} Go back to the page and sign in again.")
                        .ExecuteAsync(context.HttpContext);
                };
            })
            .AddJwtBearer(jwt =>
            {
                jwt.Authority = options.Authority;
                jwt.RequireHttpsMetadata = options.RequireHttpsMetadata;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.NameClaimType = options.NameClaim;
                jwt.TokenValidationParameters.RoleClaimType = options.RoleClaim;
                jwt.TokenValidationParameters.ValidateAudience = !string.IsNullOrWhiteSpace(options.Audience);
                jwt.TokenValidationParameters.ValidAudience = options.Audience;
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (!PersonClaims.AddMissionsClaims(context.Principal!, options))
                        {
                            context.Fail($"The token names no person (no '{options.PersonClaim}' claim).");
                        }
                        return Task.CompletedTask;
                    },
                    OnChallenge = context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = context.Error is null ? "Bearer" : $"Bearer error=\"{context.Error}\"";
                        return Unauthorized(context.HttpContext, context.AuthenticateFailure is null ? null : "The bearer token is not valid here (expired, or from another issuer or audience).");
                    },
                    OnForbidden = context => Forbidden(context.HttpContext),
                };
            });
        return builder;
    }

    /// <summary>Authentication, authorization, the antiforgery check for the page's changes, the sign-in pages and <c>/api/me</c>.</summary>
    public static WebApplication UseMissionsSignIn(this WebApplication app)
    {
        var signIn = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.SignInConfigured;
        if (signIn)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        else
        {
            // No sign-in configured: every request is the local owner's (the server keeps to loopback, or was told to
            // accept anyone). Nothing is authenticated or authorized per request, so the local default pays nothing for people.
            app.Use((context, next) =>
            {
                context.User = LocalOwner;
                return next(context);
            });
        }
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if ((path.StartsWithSegments("/dashboard") || path.StartsWithSegments("/metrics")) && context.User.Person() is not { IsOperator: true })
            {
                await (context.User.Person() is null ? Unauthorized(context, null) : Forbidden(context));
                return;
            }
            if (RequestSafety.ChangesState(context.Request) && NeedsAntiforgery(context))
            {
                try
                {
                    await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
                }
                catch (AntiforgeryValidationException)
                {
                    await Problems.Forbidden("Missing or stale page token",
                        $"A change from the page carries its antiforgery token (header {AntiforgeryHeader}); this one had none or an old one. Reload the page and try again.").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });

        app.MapGet("/login", (string? return_url) =>
                signIn
                    ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalPath(return_url) }, [OpenIdConnectDefaults.AuthenticationScheme])
                    : Results.Redirect(LocalPath(return_url)))
            .AllowAnonymous()
            .WithSummary("Signs in through the OpenID Connect provider, then returns to ?return_url= (a path of this site).");
        app.MapPost("/logout", () =>
                signIn
                    ? Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                        [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])
                    : Results.Redirect("/"))
            .RequirePerson()
            .WithSummary("Signs out here and at the provider (a form post from the page, with its antiforgery token).");
        app.MapGet("/api/me", (HttpContext context, IAntiforgery antiforgery, Hosting.ManagementPorts management) =>
            {
                var person = context.Person();
                var tokens = antiforgery.GetAndStoreTokens(context);
                return TypedResults.Ok(new SignedIn(person.Id, person.Name, person.IsOperator, signIn, tokens.RequestToken!, AntiforgeryHeader, tokens.FormFieldName,
                    person.IsOperator ? management.DashboardPath : null));
            })
            .RequirePerson()
            .WithSummary("Who is signed in, whether they operate the service, and the token the page sends with its changes.");
        return app;
    }

    /// <summary>A change made with the page's cookie (not a bearer token, not the local owner's loopback) must prove it comes from the page.</summary>
    private static bool NeedsAntiforgery(HttpContext context) =>
        context.User.Identity?.AuthenticationType is { } type && type != LocalScheme
        && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>A return address of this site only (no open redirect): a path, not a URL.</summary>
    private static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static Task Unauthorized(HttpContext context, string? why) =>
        Problems.Unauthorized("Sign in first", why ?? "This needs a signed-in person: open the page to sign in (/login), or send a bearer token from the service's provider.")
            .ExecuteAsync(context);

    private static Task Forbidden(HttpContext context) =>
        Problems.Forbidden("Operators only", "This is for the service's operators (the operator role at the provider).").ExecuteAsync(context);

    /// <summary>The local owner, as a signed-in principal would be: every request's, when no sign-in is configured.</summary>
    private static readonly ClaimsPrincipal LocalOwner = new(new ClaimsIdentity(
        [new Claim(PersonClaims.PersonId, Owners.Local), new Claim(PersonClaims.Operator, "true"), new Claim(ClaimTypes.Name, Person.Local.Name)],
        LocalScheme));

    /// <summary>The endpoint needs a signed-in person (when sign-in is configured; otherwise everyone is the local owner).</summary>
    public static TBuilder RequirePerson<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            // Read when the endpoint is built: the options are bound by then.
            if (endpoint.ApplicationServices.GetRequiredService<IOptions<AuthOptions>>().Value.SignInConfigured)
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(PersonPolicy));
            }
        });
        return builder;
    }
}

/// <summary>The body of <c>GET /api/me</c>.</summary>
/// <param name="DashboardUrl">Where this person finds the Orleans dashboard from the page: an operator's, on the page's own URLs; none otherwise.</param>
public sealed record SignedIn(string PersonId, string Name, bool IsOperator, bool SignIn, string Antiforgery, string AntiforgeryHeader, string AntiforgeryField, string? DashboardUrl);

/// <summary>The server would listen beyond loopback with nobody to sign people in.</summary>
public sealed class SignInRequiredException(string message) : InvalidOperationException(message);
