using System.Net;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

/// <summary>
/// The web pages' refresh token: an HttpOnly cookie the page scripts cannot read (ASVS 3.3.4 / 7.2), used only when the
/// request says it comes from our pages (header <c>X-Nexus-Client: web</c>). API clients keep the token in the JSON body.
/// CSRF: SameSite=Strict keeps other sites' requests from carrying the cookie, and the custom header cannot be sent
/// cross-origin without a CORS preflight, which this app never grants.
/// </summary>
public static class RefreshCookie
{
    public const string Name = "nexus_refresh";
    public const string Path = "/api/auth";
    public const string ClientHeader = "X-Nexus-Client";
    public const string WebClient = "web";

    public static bool IsWebClient(HttpRequest request) =>
        string.Equals(request.Headers[ClientHeader].ToString(), WebClient, StringComparison.OrdinalIgnoreCase);

    /// <summary>The cookie's token, read only for web clients.</summary>
    public static string? Read(HttpRequest request) =>
        IsWebClient(request) && request.Cookies.TryGetValue(Name, out var token) && !string.IsNullOrEmpty(token) ? token : null;

    public static void Write(HttpContext http, string refreshToken)
    {
        var days = http.RequestServices.GetRequiredService<IOptions<JwtOptions>>().Value.RefreshTokenDays;
        http.Response.Cookies.Append(Name, refreshToken, Options(http.Request, TimeSpan.FromDays(days)));
    }

    public static void Delete(HttpContext http) =>
        http.Response.Cookies.Delete(Name, Options(http.Request, null));

    private static CookieOptions Options(HttpRequest request, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = !IsPlainHttpLoopback(request),
        SameSite = SameSiteMode.Strict,
        Path = Path,
        MaxAge = maxAge,
        IsEssential = true,
    };

    /// <summary>Only http://127.0.0.1 (or another loopback address) may drop Secure: local runs and tests have no TLS.</summary>
    private static bool IsPlainHttpLoopback(HttpRequest request) =>
        !request.IsHttps
        && (IPAddress.TryParse(request.Host.Host.Trim('[', ']'), out var address) ? IPAddress.IsLoopback(address) : request.Host.Host == "localhost");
}
