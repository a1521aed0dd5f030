namespace Nexus.Core.Workers;

/// <summary>
/// Background jobs give way to the requests this process is serving. The host counts its running requests here; a job
/// calls <see cref="Pacer.Pace"/> between small pieces of its work, and while requests are running it pauses after each
/// piece for as long as keeps it to its share of the time. With no request running it never pauses.
/// Why: on a 2-core instance back-to-back uploads took more than a core beside the reads (parse, COPY, and the blob read
/// Azurite serves), and the reads' p99 doubled. OS priorities cannot do this (see <see cref="BackgroundThread"/>); the
/// same idea is PostgreSQL's cost-based vacuum delay.
/// </summary>
public sealed class BackgroundPacing(TimeProvider time)
{
    /// <summary>Work shorter than this between two calls is added to the next piece, so that pauses are not a few µs each.</summary>
    public static readonly TimeSpan MinPiece = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest single pause: a job never stalls for long, however small its share.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(200);

    private readonly TimeProvider _time = time;
    private int _running;

    public void RequestStarted() => Interlocked.Increment(ref _running);

    public void RequestEnded() => Interlocked.Decrement(ref _running);

    public bool RequestsRunning => Volatile.Read(ref _running) > 0;

    /// <param name="share">The fraction of the time the job may work while requests run; 1 never pauses.</param>
    public Pacer Start(double share) => new(this, share);

    /// <summary>One job's pacing. Not thread-safe: one thread of the job calls it (the others wait on that one's output).</summary>
    public sealed class Pacer
    {
        private readonly BackgroundPacing _owner;
        private readonly double _share;
        private long _pieceStart;

        internal Pacer(BackgroundPacing owner, double share)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(share);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(share, 1);
            _owner = owner;
            _share = share;
            _pieceStart = owner._time.GetTimestamp();
        }

        /// <summary>Time spent in pauses so far.</summary>
        public TimeSpan Paused { get; private set; }

        /// <summary>Blocks the calling thread for the pause the piece of work since the last call has earned, if any.</summary>
        public void Pace(CancellationToken ct)
        {
            var worked = _owner._time.GetElapsedTime(_pieceStart);
            if (worked < MinPiece)
            {
                return;
            }
            if (_share < 1 && _owner.RequestsRunning)
            {
                var pause = TimeSpan.FromTicks(Math.Min((long)(worked.Ticks * (1 - _share) / _share), MaxPause.Ticks));
                ct.WaitHandle.WaitOne(pause);
                ct.ThrowIfCancellationRequested();
                Paused += pause;
            }
            _pieceStart = _owner._time.GetTimestamp();
        }
    }
}
