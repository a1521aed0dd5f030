using Nexus.Core.Workers;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Workers;

public sealed class BackgroundPacingTests
{
    private readonly TestClock _clock = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void While_requests_run_a_job_pauses_for_what_keeps_it_to_its_share()
    {
        var pacing = new BackgroundPacing(_clock);
        var pacer = pacing.Start(share: 0.25);
        pacing.RequestStarted();

        _clock.Advance(TimeSpan.FromMilliseconds(40));
        pacer.Pace(CancellationToken.None);

        Assert.Equal(TimeSpan.FromMilliseconds(120), pacer.Paused); // 40 ms of work is a quarter of 160 ms
    }

    [Fact]
    public void With_no_request_running_or_a_full_share_a_job_never_pauses()
    {
        var pacing = new BackgroundPacing(_clock);
        var idle = pacing.Start(share: 0.25);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        idle.Pace(CancellationToken.None);

        pacing.RequestStarted();
        pacing.RequestEnded();
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        idle.Pace(CancellationToken.None);

        pacing.RequestStarted();
        var full = pacing.Start(share: 1);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        full.Pace(CancellationToken.None);

        Assert.Equal(TimeSpan.Zero, idle.Paused);
        Assert.Equal(TimeSpan.Zero, full.Paused);
    }

    [Fact]
    public void Short_pieces_add_up_to_one_pause_and_a_long_one_pauses_no_more_than_the_cap()
    {
        var pacing = new BackgroundPacing(_clock);
        pacing.RequestStarted();
        var pacer = pacing.Start(share: 0.5);

        _clock.Advance(TimeSpan.FromMilliseconds(6));
        pacer.Pace(CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, pacer.Paused);
        _clock.Advance(TimeSpan.FromMilliseconds(6));
        pacer.Pace(CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(12), pacer.Paused);

        _clock.Advance(TimeSpan.FromSeconds(1));
        pacer.Pace(CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(12) + BackgroundPacing.MaxPause, pacer.Paused);
    }

    [Fact]
    public void A_cancelled_job_stops_pausing_and_throws()
    {
        var pacing = new BackgroundPacing(_clock);
        pacing.RequestStarted();
        var pacer = pacing.Start(share: 0.01);
        _clock.Advance(TimeSpan.FromSeconds(1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => pacer.Pace(cancelled.Token));
        Assert.Equal(TimeSpan.Zero, pacer.Paused);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void A_share_outside_zero_to_one_is_refused(double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackgroundPacing(_clock).Start(share));
}
