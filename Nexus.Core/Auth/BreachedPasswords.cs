using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Auth;

/// <summary>
/// Checks new passwords against breached ones (ASVS 6.2.12) with the Pwned Passwords k-anonymity range API: only the first
/// 5 hex characters of the password's SHA-1 leave the process (<c>GET {api}/range/{prefix}</c>, with <c>Add-Padding: true</c>
/// so that the answer's size tells nothing either), and the password is breached when the answer lists the remaining 35
/// with a count above 0 (padding lines have count 0). Off when <see cref="AuthOptions.BreachedPasswordsApi"/> is empty.
/// Fails open: when the API cannot be reached, answers an error or takes longer than
/// <see cref="AuthOptions.BreachedPasswordsTimeout"/>, the password is let through and a warning is logged, with neither
/// the password nor any part of its hash. The other checks (<see cref="PasswordPolicy"/>) never depend on it.
/// </summary>
public sealed class BreachedPasswords(IHttpClientFactory httpClients, IOptions<AuthOptions> options, ILogger<BreachedPasswords> logger)
{
    /// <summary>The named HttpClient (its default request logging is removed: the URL carries the hash prefix).</summary>
    public const string HttpClientName = "breached-passwords";

    public const int PrefixLength = 5;

    public const string Message =
        "Esta contraseña apareció en filtraciones de datos conocidas; elige otra. / This password appeared in known data breaches; choose another.";

    /// <summary><see cref="Message"/> when the password is a breached one, otherwise (also when the check is off or fails) null.</summary>
    public async Task<string?> ProblemAsync(string password, CancellationToken cancellationToken) =>
        await IsBreachedAsync(password, cancellationToken) ? Message : null;

    /// <summary>
    /// Adds <see cref="Message"/> under <paramref name="field"/> when the password is breached and no other problem of that
    /// field was found (those are cheaper and need no network).
    /// </summary>
    public async Task ScreenAsync(Dictionary<string, string[]> errors, string field, string password, CancellationToken cancellationToken)
    {
        if (!errors.ContainsKey(field) && await IsBreachedAsync(password, cancellationToken))
        {
            errors[field] = [Message];
        }
    }

    public async Task<bool> IsBreachedAsync(string password, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.BreachedPasswordsBase() is not { } api)
        {
            return false;
        }
        var hash = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
        var suffix = hash.AsMemory(PrefixLength);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.BreachedPasswordsTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "range/" + hash[..PrefixLength]));
            request.Headers.Add("Add-Padding", "true");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Breached-password check skipped: {BreachedPasswordsHost} answered {StatusCode} after {ElapsedMs} ms; the password is let through",
                    api.Host, (int)response.StatusCode, ElapsedMs(started));
                return false;
            }
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var reader = new StreamReader(body, Encoding.ASCII);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (Listed(line, suffix.Span))
                {
                    return true;
                }
            }
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? "timeout" : "unreachable";
            logger.LogWarning("Breached-password check skipped: {BreachedPasswordsHost} {Reason} after {ElapsedMs} ms (timeout {TimeoutMs} ms, {Error}); the password is let through",
                api.Host, reason, ElapsedMs(started), (long)settings.BreachedPasswordsTimeout.TotalMilliseconds, e.GetType().Name);
            return false;
        }
    }

    /// <summary>A <c>SUFFIX:COUNT</c> line for this suffix with a count above 0; padding (count 0) and anything malformed is not.</summary>
    internal static bool Listed(string line, ReadOnlySpan<char> suffix)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !line.AsSpan(0, colon).Trim().Equals(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return long.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            && count > 0;
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
