using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Auth;

/// <summary>
/// Sliding-window limit on failed logins per account and per client address (ASVS 6.3.1, 2.2.1).
/// Kept in memory of this process: limits reset on restart and each scaled-out instance counts on its own,
/// which multiplies the allowance by the instance count — acceptable for brute-force damping, stated here on purpose.
/// Every attempt reserves a slot before the password is checked, so concurrent guesses can never exceed the limit;
/// a successful login gives its slot back (successes do not count).
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly AuthOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, FailureWindow> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailureWindow> _addresses = new(StringComparer.Ordinal);
    private long _calls;

    private TimeSpan Window => TimeSpan.FromMinutes(_options.FailureWindowMinutes);

    /// <summary>Reserves one attempt for the account and the address, or says how long to wait.</summary>
    public LoginAttempt? TryBegin(string account, string address, out TimeSpan retryAfter)
    {
        var now = clock.GetUtcNow();
        SweepNowAndThen(now);
        if (!TryReserve(_accounts, account, _options.MaxFailuresPerAccount, now, out retryAfter))
        {
            return null;
        }
        if (!TryReserve(_addresses, address, _options.MaxFailuresPerAddress, now, out retryAfter))
        {
            Release(_accounts, account, now);
            return null;
        }
        return new LoginAttempt(this, account, address, now);
    }

    internal void Succeeded(LoginAttempt attempt)
    {
        Release(_accounts, attempt.Account, attempt.StartedAt);
        Release(_addresses, attempt.Address, attempt.StartedAt);
    }

    private bool TryReserve(ConcurrentDictionary<string, FailureWindow> windows, string key, int limit, DateTimeOffset now, out TimeSpan retryAfter)
    {
        while (true)
        {
            var window = windows.GetOrAdd(key, _ => new FailureWindow());
            lock (window)
            {
                if (window.Removed)
                {
                    continue;
                }
                window.Prune(now - Window);
                if (window.Attempts.Count >= limit)
                {
                    var wait = window.Attempts.Min() + Window - now;
                    retryAfter = wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1);
                    return false;
                }
                window.Attempts.Add(now);
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }
    }

    private static void Release(ConcurrentDictionary<string, FailureWindow> windows, string key, DateTimeOffset at)
    {
        if (!windows.TryGetValue(key, out var window))
        {
            return;
        }
        lock (window)
        {
            window.Remove(at);
        }
    }

    /// <summary>Drops idle windows every 1024 calls so spraying random emails cannot grow memory without bound.</summary>
    private void SweepNowAndThen(DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _calls) % 1024 != 0)
        {
            return;
        }
        foreach (var windows in new[] { _accounts, _addresses })
        {
            foreach (var (key, window) in windows)
            {
                lock (window)
                {
                    window.Prune(now - Window);
                    if (window.Attempts.Count == 0)
                    {
                        window.Removed = true;
                        windows.TryRemove(new KeyValuePair<string, FailureWindow>(key, window));
                    }
                }
            }
        }
    }

    private sealed class FailureWindow
    {
        /// <summary>Start times of the attempts still in the window.</summary>
        public List<DateTimeOffset> Attempts { get; } = [];

        /// <summary>Set under the lock when swept; a caller holding a stale reference then fetches a fresh window.</summary>
        public bool Removed { get; set; }

        public void Prune(DateTimeOffset cutoff) => Attempts.RemoveAll(a => a <= cutoff);

        public void Remove(DateTimeOffset at) => Attempts.Remove(at);
    }
}

/// <summary>A reserved login attempt: counts as a failure unless <see cref="Succeeded"/> is called.</summary>
public sealed class LoginAttempt
{
    private readonly LoginThrottle _throttle;

    internal LoginAttempt(LoginThrottle throttle, string account, string address, DateTimeOffset startedAt)
    {
        _throttle = throttle;
        Account = account;
        Address = address;
        StartedAt = startedAt;
    }

    internal string Account { get; }
    internal string Address { get; }
    internal DateTimeOffset StartedAt { get; }

    public void Succeeded() => _throttle.Succeeded(this);
}
