using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Gerbang.Domain.Webhooks;
using Gerbang.Providers.Doku;
using Gerbang.Providers.Ipaymu;
using Gerbang.Providers.Midtrans;
using Gerbang.Providers.Simulator;
using Gerbang.Providers.Stripe;
using Gerbang.Providers.Xendit;

BenchmarkSwitcher.FromAssembly(typeof(Gerbang.Bench.Verification).Assembly).Run(args);

namespace Gerbang.Bench
{

    /// <summary>Each inbound verification scheme on a 1 KiB body, with allocations.</summary>
    [MemoryDiagnoser]
    [ShortRunJob]
    public class Verification
    {
        private readonly byte[] _body = Encoding.UTF8.GetBytes("{\"data\":\"" + new string('x', 1024 - 11) + "\"}");
        private readonly byte[] _simulatorSecret = Encoding.UTF8.GetBytes("sims_benchmark_secret");
        private readonly DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        private readonly byte[] _swKey = RandomNumberGenerator.GetBytes(32);
        private string _simulatorHeader = "";
        private string _stripeHeader = "";
        private string _midtrans = "";
        private string _doku = "";
        private string _ipaymuJson = "";
        private string _ipaymu = "";

        [GlobalSetup]
        public void Setup()
        {
            Span<byte> mac = stackalloc byte[32];
            SimulatorSignature.Compute(_simulatorSecret, 1_700_000_000, _body, mac);
            _simulatorHeader = "t=1700000000,v1=" + Convert.ToHexStringLower(mac);
            _stripeHeader = StripeSignature.Header("whsec_benchmark", 1_700_000_000, _body);
            _midtrans = MidtransSignature.SignatureKey("ORDER-101", "200", "10000.00", "SB-Mid-server-benchmark");
            _doku = DokuSignature.NonSnap("MCH-1", "req-1", "2024-01-01T00:00:00Z", "/webhooks/doku", DokuSignature.Digest(_body), "doku-secret");
            _ipaymuJson = Encoding.UTF8.GetString(_body);
            _ipaymu = IpaymuSignature.Callback(_ipaymuJson, "0000001234567890");
        }

        [Benchmark(Baseline = true)]
        public bool Simulator() => SimulatorSignature.Verify(_simulatorHeader, _body, _simulatorSecret, _now, TimeSpan.FromMinutes(5), out _);

        [Benchmark]
        public bool Stripe() => StripeSignature.Verify(_stripeHeader, _body, "whsec_benchmark", _now);

        [Benchmark]
        public bool Doku() => DokuSignature.VerifyNotification("MCH-1", "req-1", "2024-01-01T00:00:00Z", _doku, "/webhooks/doku", _body, "MCH-1", "doku-secret");

        [Benchmark]
        public bool Ipaymu() => IpaymuSignature.VerifyCallback(_ipaymuJson, _ipaymu, "0000001234567890");

        [Benchmark]
        public bool Midtrans() => MidtransSignature.VerifyNotification("ORDER-101", "200", "10000.00", _midtrans, "SB-Mid-server-benchmark");

        [Benchmark]
        public bool Xendit() => XenditSignature.VerifyCallbackToken("token-benchmark-0123456789", "token-benchmark-0123456789");

        [Benchmark]
        public string StandardWebhooksSign() => StandardWebhooks.Sign(_swKey, "evt_0001", 1_700_000_000, _body);
    }
}
