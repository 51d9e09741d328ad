using Microsoft.Extensions.Time.Testing;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>
/// The gateway's clock in tests: a fake that starts at the real time and moves only when a test moves
/// it (or by one microsecond per reading, so that two things written one after the other never carry
/// the same time, as on a real clock). Retries, expiries and leases are driven without sleeping, and
/// nothing depends on how fast the machine is.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    public TestClock()
        : base(DateTimeOffset.UtcNow)
    {
        AutoAdvanceAmount = TimeSpan.FromMicroseconds(1);
    }
}
