using System.Text;
using Gerbang.Domain.Webhooks;

namespace Gerbang.Domain.Tests;

public sealed class StandardWebhooksTests
{
    [Fact]
    public void Signing_reproduces_vector_S1()
    {
        var key = StandardWebhooks.KeyFromSecret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        var body = Encoding.UTF8.GetBytes("""{"type":"payment.paid","timestamp":"2024-01-01T00:00:00Z","data":{"payment_id":"pay_0001","amount":150000,"currency":"IDR"}}""");
        Assert.Equal("v1,7RDqYQv0FjLoQs1vj3PsjRMh6Hjz0X1nT4Uni4foIS4=", StandardWebhooks.Sign(key, "msg_0001", 1704067200, body));
    }

    [Fact]
    public void Signing_reproduces_the_official_library_vector()
    {
        var key = StandardWebhooks.KeyFromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", StandardWebhooks.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("""{"test": 2432232314}""")));
    }

    [Fact]
    public void Retries_follow_the_contract_schedule_then_stop()
    {
        var now = DateTimeOffset.UnixEpoch;
        var expected = new[] { 0, 5, 300, 1800, 7200, 18000, 36000, 36000 };
        for (var failed = 1; failed <= expected.Length; failed++)
        {
            Assert.Equal(now.AddSeconds(expected[failed - 1]), StandardWebhooks.NextAttemptAt(failed, now));
        }

        Assert.Null(StandardWebhooks.NextAttemptAt(9, now));
        Assert.Equal(9, StandardWebhooks.MaxAttempts);
    }

    [Fact]
    public void New_secrets_hold_32_random_bytes()
    {
        var secret = StandardWebhooks.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, StandardWebhooks.KeyFromSecret(secret).Length);
    }
}
