using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Missions.Tests.Support;

/// <summary>
/// A real OpenID Connect provider for the tests: OpenIddict in memory on 127.0.0.1, with a sign-in form (any user
/// name; "olga" is an operator), the product's client (authorization code with PKCE) and script clients that get
/// tokens with client credentials (the client id is the person; "ops-script" is an operator). Its signing key is
/// the test's, so a test can also make tokens the provider would never issue (expired ones).
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string WebClientId = "missions-web";
    public const string WebClientSecret = "web-secret-for-tests";
    public const string Operator = "olga";
    public const string OperatorClient = "ops-script";
    public const string OperatorRole = "missions-operator";
    public static readonly string[] ScriptClients = ["alice-script", "bob-script", "carol-script", "dave-script", "erin-script", "frank-script", OperatorClient];

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app, string issuer, RsaSecurityKey key)
    {
        _app = app;
        Issuer = issuer;
        SigningKey = key;
    }

    /// <summary>The issuer (and authority) URL, with its trailing slash.</summary>
    public string Issuer { get; }

    public RsaSecurityKey SigningKey { get; }

    public static string SecretOf(string clientId) => clientId + "-secret";

    /// <summary>Starts the provider; <paramref name="webOrigins"/> are the product's origins it may redirect back to.</summary>
    public static async Task<OidcProvider> StartAsync(params string[] webOrigins)
    {
        var port = FreePort.Next();
        var issuer = $"http://127.0.0.1:{port}/";
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "tests" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(issuer);
        builder.Logging.ClearProviders();
        var database = "oidc-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<ProviderDb>(db =>
        {
            db.UseInMemoryDatabase(database);
            db.UseOpenIddict();
        });
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie => cookie.Cookie.Name = "provider.login");
        builder.Services.AddAuthorization();
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<ProviderDb>())
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(issuer));
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetEndSessionEndpointUris("connect/logout");
                server.AllowAuthorizationCodeFlow().AllowClientCredentialsFlow().RequireProofKeyForCodeExchange();
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Roles);
                server.AddSigningKey(key).AddEphemeralEncryptionKey();
                server.DisableAccessTokenEncryption(); // the product reads its access tokens as JWTs
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        MapEndpoints(app);
        await app.StartAsync();

        await using var scope = app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var web = new OpenIddictApplicationDescriptor
        {
            ClientId = WebClientId,
            ClientSecret = WebClientSecret,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Roles,
            },
        };
        foreach (var origin in webOrigins)
        {
            web.RedirectUris.Add(new Uri(origin.TrimEnd('/') + "/signin-oidc"));
            web.PostLogoutRedirectUris.Add(new Uri(origin.TrimEnd('/') + "/signout-callback-oidc"));
        }
        await manager.CreateAsync(web);
        foreach (var client in ScriptClients)
        {
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = client,
                ClientSecret = SecretOf(client),
                ClientType = ClientTypes.Confidential,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
            });
        }
        return new OidcProvider(app, issuer, key);
    }

    /// <summary>An access token for a script client (client credentials), as a script would get one.</summary>
    public async Task<string> TokenForAsync(string clientId)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Issuer + "connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = SecretOf(clientId),
        }));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token for {clientId}: {(int)response.StatusCode} {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A token this provider's key signs for <paramref name="subject"/>, valid from and to the times given (an expired one, say).</summary>
    public string MakeToken(string subject, DateTime notBefore, DateTime expires, SecurityKey? key = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Subject = new ClaimsIdentity([new Claim(Claims.Subject, subject)]),
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });

    private static void MapEndpoints(WebApplication app)
    {
        // The sign-in form: any user name signs in (this is a test provider).
        app.MapGet("/account/login", (string? returnUrl) => Results.Content(
            $"""
            <!doctype html><html lang="en"><head><title>Test provider sign-in</title></head><body>
            <form method="post" action="/account/login?returnUrl={Uri.EscapeDataString(returnUrl ?? "/")}">
            <label>User name <input name="username" id="username"></label><button type="submit" id="sign-in">Sign in</button></form>
            </body></html>
            """, "text/html"));
        app.MapPost("/account/login", async (HttpContext context, string? returnUrl) =>
        {
            var form = await context.Request.ReadFormAsync();
            var name = form["username"].ToString();
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') ? returnUrl : "/");
        });

        app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext context) =>
        {
            var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (!signedIn.Succeeded)
            {
                return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
            }
            var request = context.GetOpenIddictServerRequest()!;
            var name = signedIn.Principal!.Identity!.Name!;
            var principal = Person(name, name == Operator);
            principal.SetScopes(request.GetScopes());
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        app.MapPost("/connect/token", async (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest()!;
            if (request.IsAuthorizationCodeGrantType())
            {
                var code = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
                return Results.SignIn(code.Principal!, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            }
            // Client credentials: the script is the person.
            var principal = Person(request.ClientId!, request.ClientId == OperatorClient);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        app.MapMethods("/connect/userinfo", ["GET", "POST"], async (HttpContext context) =>
        {
            var token = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var principal = token.Principal!;
            var claims = new Dictionary<string, object> { [Claims.Subject] = principal.GetClaim(Claims.Subject)! };
            if (principal.GetClaim(Claims.Name) is { } name)
            {
                claims[Claims.Name] = name;
            }
            if (principal.GetClaims(Claims.Role) is { Length: > 0 } roles)
            {
                claims[Claims.Role] = roles.ToArray();
            }
            return Results.Json(claims);
        });

        app.MapMethods("/connect/logout", ["GET", "POST"], async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
    }

    private static ClaimsPrincipal Person(string name, bool isOperator)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "user-" + name).SetClaim(Claims.Name, name);
        if (isOperator)
        {
            identity.SetClaims(Claims.Role, [OperatorRole]);
        }
        identity.SetDestinations(claim => claim.Type is Claims.Name or Claims.Role
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class ProviderDb(DbContextOptions<ProviderDb> options) : DbContext(options);
}
