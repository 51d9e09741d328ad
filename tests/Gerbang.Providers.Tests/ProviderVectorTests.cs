using System.Text;
using Gerbang.Providers.Doku;
using Gerbang.Providers.Ipaymu;
using Gerbang.Providers.Midtrans;
using Gerbang.Providers.Stripe;
using Gerbang.Providers.Xendit;

namespace Gerbang.Providers.Tests;

/// <summary>The adapters' signers against every vector of providers.md §9, and their verifiers' refusals.</summary>
public sealed class ProviderVectorTests
{
    private const string MidtransKey = "SB-Mid-server-TEST0123456789abcdef";
    private const string DokuClient = "MCH-0001-10791114622547";
    private const string DokuSecret = "SK-TEST-doku-secret-key";
    private const string IpaymuVa = "0000001234567890";
    private const string IpaymuKey = "SANDBOX-TEST-API-KEY";
    private const string StripeSecret = "whsec_test_secret_0123456789";

    private static readonly byte[] DokuBody = Encoding.UTF8.GetBytes("""{"order":{"invoice_number":"INV-20240101-0001","amount":150000},"virtual_account_info":{"expired_time":60,"reusable_status":false},"customer":{"name":"Budi","email":"budi@example.com"}}""");
    private static readonly byte[] DokuNotification = Encoding.UTF8.GetBytes("""{"service":{"id":"VIRTUAL_ACCOUNT"},"acquirer":{"id":"BCA"},"channel":{"id":"VIRTUAL_ACCOUNT_BCA"},"transaction":{"status":"SUCCESS","date":"2024-01-01T01:00:00Z","original_request_id":"cc682442-6c22-493e-8121-b9ef6b3fa728"},"order":{"invoice_number":"INV-20240101-0001","amount":150000},"virtual_account_info":{"virtual_account_number":"1900600000000046"}}""");
    private static readonly byte[] StripeBody = Encoding.UTF8.GetBytes("""{"id":"evt_test_0001","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_test_0001","object":"payment_intent","amount":15000000,"currency":"idr","status":"succeeded"}}}""");
    private const string IpaymuCanonical = """{"additional_info":[],"amount":"10000","channel":"bca","fee":"0","paid_off":"10000","reference_id":"REF123","sid":"SESSION789","status":"berhasil","status_code":"1","total":"10000","trx_id":"12345678","url":"https:\/\/merchant.example\/cb","via":"va"}""";

    [Fact]
    public void Midtrans_vectors_M1_to_M4()
    {
        Assert.Equal("5ec933e83ff00e1462ba8aa925b16a1d36374ebb51401684afbe003f16e91bcc545c4348c4dd3431a369ca47ea2fc1ca31b5e343481084a5446cc6b2177e23dd", MidtransSignature.SignatureKey("ORDER-101", "200", "10000.00", MidtransKey));
        Assert.Equal("dc0ec44ef4998298d3b2a56e5b02e806e9e7600d643d4bcc299e48190eb44c8bfe793ed95e0ad222906333709f8a55cdf3aa729e4a9ace7ab6f2db640b3ae58f", MidtransSignature.SignatureKey("ORDER-101", "200", "10000", MidtransKey));
        Assert.Equal("Basic U0ItTWlkLXNlcnZlci1URVNUMDEyMzQ1Njc4OWFiY2RlZjo=", MidtransSignature.BasicAuth(MidtransKey));
        var iris = Encoding.UTF8.GetBytes("""{"reference_no":"REF-0001","amount":"10000.00","status":"completed","updated_at":"2024-01-01T00:00:00Z"}""");
        Assert.Equal("3fbb659bcf32f5e8589c1ca3c57be51c15cb796601a66accc52c45744095a248c2d15fb2a9c69f23a338f0a0dff54353bbe6f31029888319e5085f9d7a711278", MidtransSignature.IrisSignature(iris, "IRIS-merchant-key-TEST"));
    }

    [Fact]
    public void Midtrans_verification_refuses_an_amount_without_its_decimals_a_wrong_key_and_a_missing_signature()
    {
        const string m1 = "5ec933e83ff00e1462ba8aa925b16a1d36374ebb51401684afbe003f16e91bcc545c4348c4dd3431a369ca47ea2fc1ca31b5e343481084a5446cc6b2177e23dd";
        Assert.True(MidtransSignature.VerifyNotification("ORDER-101", "200", "10000.00", m1, MidtransKey));
        Assert.False(MidtransSignature.VerifyNotification("ORDER-101", "200", "10000", m1, MidtransKey));
        Assert.False(MidtransSignature.VerifyNotification("ORDER-101", "200", "10000.00", m1, MidtransKey + "x"));
        Assert.False(MidtransSignature.VerifyNotification("ORDER-102", "200", "10000.00", m1, MidtransKey));
        Assert.False(MidtransSignature.VerifyNotification("ORDER-101", "200", "10000.00", null, MidtransKey));
        Assert.False(MidtransSignature.VerifyIris("{}"u8, "00", "IRIS-merchant-key-TEST"));
    }

    [Fact]
    public void Xendit_vector_X1_and_its_callback_token()
    {
        Assert.Equal("Basic eG5kX2RldmVsb3BtZW50X1RFU1RLRVkwMTIzNDU2Nzg5Og==", XenditSignature.BasicAuth("xnd_development_TESTKEY0123456789"));
        Assert.True(XenditSignature.VerifyCallbackToken("token-abc", "token-abc"));
        Assert.False(XenditSignature.VerifyCallbackToken("token-abd", "token-abc"));
        Assert.False(XenditSignature.VerifyCallbackToken(null, "token-abc"));
        Assert.False(XenditSignature.VerifyCallbackToken("", ""));
    }

    [Fact]
    public void Doku_vectors_D1_to_D5()
    {
        var digest = DokuSignature.Digest(DokuBody);
        Assert.Equal("7h/BhdSfA36qMWkJTzktWA7eKc/yaM514y6xUeZQkR4=", digest);
        Assert.Equal("HMACSHA256=GR/cgrbS4gm/kMTFL9+ywY/++PMX64dOlCQgoX4PxuI=", DokuSignature.NonSnap(DokuClient, "cc682442-6c22-493e-8121-b9ef6b3fa728", "2024-01-01T00:00:00Z", "/doku-virtual-account/v2/payment-code", digest, DokuSecret));
        Assert.Equal("HMACSHA256=pXlZROCITR1Q61DPr2Z91awwq1NATkt1C9K9JzrOb08=", DokuSignature.NonSnap(DokuClient, "d895fb53-479c-4f77-a76a-ab81b40d77cb", "2024-01-01T02:00:00Z", "/orders/v1/status/INV-20240101-0001", null, DokuSecret));
        Assert.Equal("RxXzQmk1B4id3C9MFMnxzUeaxD0tAbDaIHcssQxArYY=", DokuSignature.Digest(DokuNotification));
        Assert.Equal("HMACSHA256=VZHjRNj+3KO/UFisKZyPEPYTEzlfV1nENLXvXljOKd8=", DokuSignature.NonSnap(DokuClient, "479b663f-5c9d-400d-8e80-3e548a8f7639", "2024-01-01T01:00:05Z", "/webhooks/doku", DokuSignature.Digest(DokuNotification), DokuSecret));
        var snapBody = Encoding.UTF8.GetBytes("""{"partnerServiceId":"12345678","customerNo":"000001","virtualAccountNo":"12345678000001","virtualAccountName":"Budi","trxId":"INV-20240101-0001","totalAmount":{"value":"150000.00","currency":"IDR"},"virtualAccountTrxType":"C","expiredDate":"2024-01-02T00:00:00+07:00"}""");
        Assert.Equal("o6ve1HC2q+3uLJxYfgmwtqzWN2WX6sc31HNWSTTsE+5iiyAPl8offsT6gIIXOXRaWQowmdmNhgM8NcmhBAvxOQ==", DokuSignature.Snap("POST", "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va", "ACCESS-TOKEN-TEST", snapBody, "2024-01-01T07:00:00+07:00", "SNAP-client-secret-TEST"));
    }

    [Fact]
    public void Doku_notification_verification_refuses_the_wrong_path_a_tampered_body_and_a_wrong_key()
    {
        const string d4 = "HMACSHA256=VZHjRNj+3KO/UFisKZyPEPYTEzlfV1nENLXvXljOKd8=";
        const string requestId = "479b663f-5c9d-400d-8e80-3e548a8f7639";
        const string ts = "2024-01-01T01:00:05Z";
        Assert.True(DokuSignature.VerifyNotification(DokuClient, requestId, ts, d4, "/webhooks/doku", DokuNotification, DokuClient, DokuSecret));
        Assert.False(DokuSignature.VerifyNotification(DokuClient, requestId, ts, d4, "/webhooks/doku/payouts", DokuNotification, DokuClient, DokuSecret));
        var tampered = DokuNotification.ToArray();
        tampered[^5] ^= 1;
        Assert.False(DokuSignature.VerifyNotification(DokuClient, requestId, ts, d4, "/webhooks/doku", tampered, DokuClient, DokuSecret));
        Assert.False(DokuSignature.VerifyNotification(DokuClient, requestId, ts, d4, "/webhooks/doku", DokuNotification, DokuClient, "another-secret"));
        Assert.False(DokuSignature.VerifyNotification(DokuClient, requestId, ts, null, "/webhooks/doku", DokuNotification, DokuClient, DokuSecret));
        Assert.False(DokuSignature.VerifyNotification("MCH-OTHER", requestId, ts, d4, "/webhooks/doku", DokuNotification, DokuClient, DokuSecret));
    }

    [Fact]
    public void Ipaymu_vectors_I1_to_I4()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"Buyer","phone":"08123456789","email":"buyer@example.com","amount":10000,"notifyUrl":"https://merchant.example/cb","referenceId":"REF123","paymentMethod":"va","paymentChannel":"bca"}""");
        Assert.Equal("876ad9cfd38aa14b81438357fb0cf950531967a3cc76ee813198c53d7f305d2e", IpaymuSignature.BodyHash(body));
        Assert.Equal("689468fe50854e2faf1c2f7859f97ad9014167300abe2c129359e463fd2eedd1", IpaymuSignature.Request(IpaymuVa, body, IpaymuKey));
        Assert.Equal("5db7985139a6e5696bef5081b15db71014f123c0cc87bf93a15aa4e9d7001bf8", IpaymuSignature.Callback(IpaymuCanonical, IpaymuVa));
        const string form = """{"additional_info":[],"amount":"10000","channel":"bca","fee":"0","paid_off":10000,"reference_id":"REF123","sid":"SESSION789","status":"berhasil","status_code":1,"total":"10000","trx_id":12345678,"url":"https:\/\/merchant.example\/cb","via":"va"}""";
        Assert.Equal("b0e49730c7f826e0d9a57d5b46b0401c279371ecbaa5660c7728e768860cbe7b", IpaymuSignature.Callback(form, IpaymuVa));
        Assert.False(IpaymuSignature.VerifyCallback(IpaymuCanonical.Replace("berhasil", "gagal", StringComparison.Ordinal), "5db7985139a6e5696bef5081b15db71014f123c0cc87bf93a15aa4e9d7001bf8", IpaymuVa));
        Assert.False(IpaymuSignature.VerifyCallback(IpaymuCanonical, "5db7985139a6e5696bef5081b15db71014f123c0cc87bf93a15aa4e9d7001bf8", "0000009999999999"));
        Assert.False(IpaymuSignature.VerifyCallback(IpaymuCanonical, null, IpaymuVa));
    }

    [Fact]
    public void Ipaymu_callbacks_as_received_canonicalise_to_the_signed_text_of_I3_and_I4()
    {
        // Received in another key order, with the signature field and without additional_info.
        const string received = """{"via":"va","url":"https://merchant.example/cb","trx_id":"12345678","total":"10000","status_code":"1","status":"berhasil","sid":"SESSION789","signature":"ignored","reference_id":"REF123","paid_off":"10000","fee":"0","channel":"bca","amount":"10000"}""";
        Assert.Equal(IpaymuCanonical, IpaymuCanonicalJson.Of((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(received)!));

        var form = IpaymuCanonicalJson.FromForm(new Dictionary<string, string>
        {
            ["trx_id"] = "12345678",
            ["sid"] = "SESSION789",
            ["reference_id"] = "REF123",
            ["status"] = "berhasil",
            ["status_code"] = "1",
            ["via"] = "va",
            ["channel"] = "bca",
            ["amount"] = "10000",
            ["total"] = "10000",
            ["fee"] = "0",
            ["paid_off"] = "10000",
            ["url"] = "https://merchant.example/cb",
            ["additional_info"] = "[]",
        });
        Assert.Equal("b0e49730c7f826e0d9a57d5b46b0401c279371ecbaa5660c7728e768860cbe7b", IpaymuSignature.Callback(IpaymuCanonicalJson.Of(form), IpaymuVa));
        Assert.Equal("""{"additional_info":[],"name":"\u00e9\/\"x\""}""", IpaymuCanonicalJson.Of(new System.Text.Json.Nodes.JsonObject { ["name"] = "é/\"x\"" }));
    }

    [Fact]
    public void Stripe_vector_T1_and_its_300_second_tolerance()
    {
        Assert.Equal("t=1700000000,v1=99310bb628361007c0bdeb15be870e443a46be309bb95a234e7ac223a2610d48", StripeSignature.Header(StripeSecret, 1_700_000_000, StripeBody));
        var header = "t=1700000000,v1=99310bb628361007c0bdeb15be870e443a46be309bb95a234e7ac223a2610d48";
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.True(StripeSignature.Verify(header, StripeBody, StripeSecret, signedAt));
        Assert.True(StripeSignature.Verify(header, StripeBody, StripeSecret, signedAt.AddSeconds(300)));
        Assert.True(StripeSignature.Verify(header, StripeBody, StripeSecret, signedAt.AddSeconds(-300)));
        Assert.False(StripeSignature.Verify(header, StripeBody, StripeSecret, signedAt.AddSeconds(301)));
        Assert.False(StripeSignature.Verify(header, StripeBody, StripeSecret, signedAt.AddSeconds(-301)));
        Assert.False(StripeSignature.Verify(header, StripeBody, "whsec_other", signedAt));
        Assert.False(StripeSignature.Verify(header, [.. StripeBody, (byte)' '], StripeSecret, signedAt));
        Assert.False(StripeSignature.Verify(null, StripeBody, StripeSecret, signedAt));
        Assert.True(StripeSignature.Verify("t=1700000000,v1=00,v1=99310bb628361007c0bdeb15be870e443a46be309bb95a234e7ac223a2610d48", StripeBody, StripeSecret, signedAt));
    }
}
