using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// Every /api route the app maps, called as anonymous and as each role. The expected answer is derived from the
/// route's own authorization metadata, so routes added later are covered without touching this test.
/// </summary>
public sealed class RouteAccessTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private const string Anonymous = "anonymous";
    private static readonly string[] Callers = [Anonymous, .. Roles.All];

    private readonly NexusApp _app = fixture.App;

    private sealed record ApiRoute(string Method, RouteEndpoint Endpoint, string Path, IReadOnlySet<string>? AllowedRoles)
    {
        /// <summary>Null allowed roles: public. Otherwise the roles that pass the route's policy.</summary>
        public bool IsPublic => AllowedRoles is null;

        public override string ToString() => $"{Method} {Endpoint.RoutePattern.RawText}";
    }

    [Fact]
    public async Task Every_api_route_answers_each_caller_as_its_policy_says()
    {
        var routes = await ApiRoutesAsync();
        Assert.Contains(routes, r => r.ToString() == "GET /api/auth/me");
        Assert.Contains(routes, r => r.ToString() == "PUT /api/admin/users/{id:int}/activate");

        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var caller in Callers)
            {
                var status = await CallAsync(route, caller);
                var expected = Expected(route, caller);
                var ok = expected is { } exact ? status == exact : status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
                if (!ok)
                {
                    failures.Add($"{route} as {caller}: got {(int)status}, expected {(expected is { } e ? ((int)e).ToString() : "neither 401 nor 403")}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task Spec_access_rules_hold_for_the_routes_defined_so_far()
    {
        var routes = await ApiRoutesAsync();
        var byName = routes.ToDictionary(r => r.ToString());
        Assert.True(byName["POST /api/auth/login"].IsPublic);
        Assert.True(byName["POST /api/auth/register"].IsPublic);
        Assert.Equal(Roles.All.ToHashSet(), byName["GET /api/auth/me"].AllowedRoles);
        Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName["GET /api/admin/users"].AllowedRoles);
        Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName["POST /api/admin/users"].AllowedRoles);
        Assert.Equal(Roles.All.ToHashSet(), byName["GET /api/auth/sessions"].AllowedRoles);
        Assert.Equal(Roles.All.ToHashSet(), byName["DELETE /api/auth/sessions/{id:guid}"].AllowedRoles);
        Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName["DELETE /api/admin/users/{id:int}/sessions"].AllowedRoles);
        Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName["DELETE /api/admin/sessions"].AllowedRoles);
        Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName["POST /api/admin/users/{id:int}/password-reset"].AllowedRoles);
        Assert.True(byName["POST /api/auth/password-reset"].IsPublic);
        Assert.True(byName["POST /api/auth/mfa/verify"].IsPublic);
        foreach (var route in new[] { "GET /api/auth/mfa", "POST /api/auth/mfa/setup", "POST /api/auth/mfa/confirm", "DELETE /api/auth/mfa" })
        {
            // The group's own path may be written with or without its trailing slash.
            Assert.Equal(Roles.All.ToHashSet(), byName.Single(r => r.Key.TrimEnd('/') == route).Value.AllowedRoles);
        }
        foreach (var route in new[] { "POST /api/admin/catalog-imports/", "GET /api/admin/catalog-imports/", "GET /api/admin/catalog-imports/{id:long}",
                     "GET /api/admin/catalog-imports/{id:long}/problems.csv" })
        {
            Assert.Equal(new HashSet<string> { Roles.Admin, Roles.Owner }, byName[route].AllowedRoles);
        }
    }

    private static HttpStatusCode? Expected(ApiRoute route, string caller)
    {
        if (route.AllowedRoles is null)
        {
            return null;
        }
        if (caller == Anonymous)
        {
            return HttpStatusCode.Unauthorized;
        }
        return route.AllowedRoles.Contains(caller) ? null : HttpStatusCode.Forbidden;
    }

    private async Task<HttpStatusCode> CallAsync(ApiRoute route, string caller)
    {
        // A fresh user per call: a route may end the caller's session (logout) or change its data.
        using var client = caller == Anonymous ? _app.CreateClient() : await _app.CreateClientAsync(caller);
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<List<ApiRoute>> ApiRoutesAsync()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var policies = _app.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var routes = new List<ApiRoute>();
        foreach (var endpoint in endpoints)
        {
            var raw = endpoint.RoutePattern.RawText ?? "";
            if (!raw.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var allowed = await AllowedRolesAsync(endpoint, policies);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.AddRange(methods.Select(m => new ApiRoute(m, endpoint, DummyPath(endpoint.RoutePattern), allowed)));
        }
        return routes;
    }

    private static async Task<IReadOnlySet<string>?> AllowedRolesAsync(RouteEndpoint endpoint, IAuthorizationPolicyProvider policies)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }
        var policy = await AuthorizationPolicy.CombineAsync(
            policies, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>())
            ?? await policies.GetFallbackPolicyAsync();
        if (policy is null)
        {
            return null;
        }
        IEnumerable<string> allowed = Roles.All;
        foreach (var requirement in policy.Requirements)
        {
            allowed = requirement switch
            {
                RolesAuthorizationRequirement roles => allowed.Intersect(roles.AllowedRoles),
                DenyAnonymousAuthorizationRequirement => allowed,
                _ => throw new InvalidOperationException(
                    $"{endpoint.RoutePattern.RawText} uses {requirement.GetType().Name}; teach this test what it allows."),
            };
        }
        return allowed.ToHashSet();
    }

    /// <summary>The route with every parameter filled by a dummy value that satisfies its constraint.</summary>
    private static string DummyPath(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => DummyValue(parameter),
                    _ => throw new InvalidOperationException($"Unknown route part in {pattern.RawText}"),
                });
            }
        }
        return path.ToString();
    }

    private static string DummyValue(RoutePatternParameterPart parameter)
    {
        var constraints = parameter.ParameterPolicies.Select(p => p.Content ?? "").ToList();
        if (constraints.Any(c => c.StartsWith("guid", StringComparison.OrdinalIgnoreCase)))
        {
            return Guid.NewGuid().ToString();
        }
        if (constraints.Any(c => c.StartsWith("int", StringComparison.OrdinalIgnoreCase) || c.StartsWith("long", StringComparison.OrdinalIgnoreCase))
            || parameter.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase))
        {
            return "1";
        }
        return "x";
    }
}
