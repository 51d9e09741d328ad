using System.Text;
using Gerbang.Providers.Simulator;
using Gerbang.Simulators.Generic;
using Gerbang.Simulators.Shared;

namespace Gerbang.Providers.Tests;

/// <summary>The adapter's verifier against the simulator's own, separately written signer.</summary>
public sealed class SimulatorSignatureTests
{
    private const string Secret = "sims_test_secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"sevt_1","type":"payment.paid","created":1,"data":{}}""");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static bool Verify(string? header, byte[] body, string secret = Secret, DateTimeOffset? now = null) =>
        SimulatorSignature.Verify(header, body, Encoding.UTF8.GetBytes(secret), now ?? Now, TimeSpan.FromMinutes(5), out _);

    [Fact]
    public void Accepts_what_the_simulator_signs()
    {
        Assert.True(Verify(GenericSignature.Compute(Secret, Now.ToUnixTimeSeconds(), Body), Body));
    }

    [Fact]
    public void Rejects_a_tampered_body_a_wrong_key_and_a_missing_header()
    {
        var header = GenericSignature.Compute(Secret, Now.ToUnixTimeSeconds(), Body);
        var tampered = Body.ToArray();
        tampered[^2] ^= 1;
        Assert.False(Verify(header, tampered));
        Assert.False(Verify(header, Body, "another secret"));
        Assert.False(Verify(null, Body));
        Assert.False(Verify("", Body));
        Assert.False(Verify("t=1700000000", Body));
        Assert.False(Verify("v1=00", Body));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Rejects_a_timestamp_outside_five_minutes(int offset)
    {
        var header = GenericSignature.Compute(Secret, Now.ToUnixTimeSeconds() + offset, Body);
        Assert.False(Verify(header, Body));
        Assert.True(Verify(header, Body, now: Now.AddSeconds(offset)));
    }

    [Fact]
    public void Qris_payloads_are_EMVCo_strings_with_a_valid_CRC()
    {
        var qr = Qris.Build("TOKO SARI", "JAKARTA", 150_000, "att_123");
        Assert.StartsWith("000201010212", qr);
        Assert.True(Qris.HasValidCrc(qr));
        Assert.False(Qris.HasValidCrc(qr[..^1] + (qr[^1] == '0' ? '1' : '0')));
        Assert.Equal(0x29B1, Qris.Crc16("123456789"));
    }
}
