using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>
/// Sliding-window limits on failed logins (ASVS 6.3.1) that an attacker cannot turn against the account's owner (6.1.1):
/// <list type="bullet">
/// <item>per account and client address (<see cref="AuthOptions.MaxFailuresPerAccountAndAddress"/>): the lock-out, which
/// only ever locks the address that failed;</item>
/// <item>per client address across accounts (<see cref="AuthOptions.MaxFailuresPerAddress"/>), against one address
/// trying many accounts;</item>
/// <item>per account across addresses (<see cref="AuthOptions.MaxFailuresPerAccount"/>), against guessing spread over many
/// addresses. When it is reached only the addresses the account logged in from within
/// <see cref="AuthOptions.KnownAddressDays"/> go on (<see cref="KnownLoginAddresses"/>): the owner keeps logging in from
/// the usual places while new addresses wait.</item>
/// </list>
/// The counters are keyed by the normalised email whether or not an account has it, so neither the answers nor the
/// limits tell whether an account exists. They live in memory of this process: they reset on restart and each
/// scaled-out instance counts on its own, which multiplies the allowance by the instance count — acceptable for
/// brute-force damping, stated here on purpose; forgetting counters only ever favours the owner. The known addresses
/// are in PostgreSQL instead, because forgetting those would not (see <see cref="KnownLoginAddresses"/>).
/// Every attempt reserves its slots before the password is checked, so concurrent guesses can never exceed a limit;
/// a successful login gives them back (successes do not count).
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider clock, NpgsqlDataSource db)
{
    private readonly AuthOptions _options = options.Value;
    private readonly ConcurrentDictionary<(string Account, string Address), FailureWindow> _pairs = new();
    private readonly ConcurrentDictionary<string, FailureWindow> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailureWindow> _addresses = new(StringComparer.Ordinal);
    private long _calls;

    private TimeSpan Window => TimeSpan.FromMinutes(_options.FailureWindowMinutes);

    /// <summary>Reserves one attempt for the account from the address, or says how long to wait (Attempt null).</summary>
    public async Task<(LoginAttempt? Attempt, TimeSpan RetryAfter)> TryBeginAsync(string account, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        SweepNowAndThen(now);
        var pair = (account, address);
        if (!TryReserve(_pairs, pair, _options.MaxFailuresPerAccountAndAddress, now, out var retryAfter))
        {
            return (null, retryAfter);
        }
        if (!TryReserve(_addresses, address, _options.MaxFailuresPerAddress, now, out retryAfter))
        {
            Release(_pairs, pair, now);
            return (null, retryAfter);
        }
        if (TryReserve(_accounts, account, _options.MaxFailuresPerAccount, now, out retryAfter))
        {
            return (new LoginAttempt(this, account, address, now, holdsAccountSlot: true), TimeSpan.Zero);
        }
        // Looked up only here, for an account at its ceiling, and for every email alike: one more query, the same answer.
        bool known;
        try
        {
            known = await KnownLoginAddresses.IsKnownAsync(db, account, address, now - TimeSpan.FromDays(_options.KnownAddressDays), cancellationToken);
        }
        catch
        {
            Release(_pairs, pair, now);
            Release(_addresses, address, now);
            throw;
        }
        if (!known)
        {
            Release(_pairs, pair, now);
            Release(_addresses, address, now);
            return (null, retryAfter);
        }
        return (new LoginAttempt(this, account, address, now, holdsAccountSlot: false), TimeSpan.Zero);
    }

    internal void Succeeded(LoginAttempt attempt)
    {
        Release(_pairs, (attempt.Account, attempt.Address), attempt.StartedAt);
        Release(_addresses, attempt.Address, attempt.StartedAt);
        if (attempt.HoldsAccountSlot)
        {
            Release(_accounts, attempt.Account, attempt.StartedAt);
        }
    }

    private bool TryReserve<TKey>(ConcurrentDictionary<TKey, FailureWindow> windows, TKey key, int limit, DateTimeOffset now, out TimeSpan retryAfter)
        where TKey : notnull
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

    private static void Release<TKey>(ConcurrentDictionary<TKey, FailureWindow> windows, TKey key, DateTimeOffset at)
        where TKey : notnull
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
        Sweep(_pairs, now);
        Sweep(_accounts, now);
        Sweep(_addresses, now);
    }

    private void Sweep<TKey>(ConcurrentDictionary<TKey, FailureWindow> windows, DateTimeOffset now)
        where TKey : notnull
    {
        foreach (var (key, window) in windows)
        {
            lock (window)
            {
                window.Prune(now - Window);
                if (window.Attempts.Count == 0)
                {
                    window.Removed = true;
                    windows.TryRemove(new KeyValuePair<TKey, FailureWindow>(key, window));
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

    internal LoginAttempt(LoginThrottle throttle, string account, string address, DateTimeOffset startedAt, bool holdsAccountSlot)
    {
        _throttle = throttle;
        Account = account;
        Address = address;
        StartedAt = startedAt;
        HoldsAccountSlot = holdsAccountSlot;
    }

    internal string Account { get; }
    internal string Address { get; }
    internal DateTimeOffset StartedAt { get; }

    /// <summary>False for a known address let past the account-wide limit: it took no account-wide slot to give back.</summary>
    internal bool HoldsAccountSlot { get; }

    public void Succeeded() => _throttle.Succeeded(this);
}
