using System.Text;
using Gerbang.Simulators.Shared;

namespace Gerbang.Providers.Tests;

/// <summary>The simulators' own signers against the same providers.md §9 vectors as the adapters.</summary>
public sealed class SimulatorVectorTests
{
    [Fact]
    public void Simulated_providers_sign_exactly_as_the_vectors_say()
    {
        Assert.Equal("5ec933e83ff00e1462ba8aa925b16a1d36374ebb51401684afbe003f16e91bcc545c4348c4dd3431a369ca47ea2fc1ca31b5e343481084a5446cc6b2177e23dd",
            ProviderSigners.MidtransSignatureKey("ORDER-101", "200", "10000.00", "SB-Mid-server-TEST0123456789abcdef"));
        Assert.Equal("3fbb659bcf32f5e8589c1ca3c57be51c15cb796601a66accc52c45744095a248c2d15fb2a9c69f23a338f0a0dff54353bbe6f31029888319e5085f9d7a711278",
            ProviderSigners.MidtransIris(Encoding.UTF8.GetBytes("""{"reference_no":"REF-0001","amount":"10000.00","status":"completed","updated_at":"2024-01-01T00:00:00Z"}"""), "IRIS-merchant-key-TEST"));

        var notification = Encoding.UTF8.GetBytes("""{"service":{"id":"VIRTUAL_ACCOUNT"},"acquirer":{"id":"BCA"},"channel":{"id":"VIRTUAL_ACCOUNT_BCA"},"transaction":{"status":"SUCCESS","date":"2024-01-01T01:00:00Z","original_request_id":"cc682442-6c22-493e-8121-b9ef6b3fa728"},"order":{"invoice_number":"INV-20240101-0001","amount":150000},"virtual_account_info":{"virtual_account_number":"1900600000000046"}}""");
        Assert.Equal("HMACSHA256=VZHjRNj+3KO/UFisKZyPEPYTEzlfV1nENLXvXljOKd8=",
            ProviderSigners.DokuNonSnap("MCH-0001-10791114622547", "479b663f-5c9d-400d-8e80-3e548a8f7639", "2024-01-01T01:00:05Z", "/webhooks/doku", notification, "SK-TEST-doku-secret-key"));
        Assert.Equal("HMACSHA256=pXlZROCITR1Q61DPr2Z91awwq1NATkt1C9K9JzrOb08=",
            ProviderSigners.DokuNonSnap("MCH-0001-10791114622547", "d895fb53-479c-4f77-a76a-ab81b40d77cb", "2024-01-01T02:00:00Z", "/orders/v1/status/INV-20240101-0001", null, "SK-TEST-doku-secret-key"));
        var snapBody = Encoding.UTF8.GetBytes("""{"partnerServiceId":"12345678","customerNo":"000001","virtualAccountNo":"12345678000001","virtualAccountName":"Budi","trxId":"INV-20240101-0001","totalAmount":{"value":"150000.00","currency":"IDR"},"virtualAccountTrxType":"C","expiredDate":"2024-01-02T00:00:00+07:00"}""");
        Assert.Equal("o6ve1HC2q+3uLJxYfgmwtqzWN2WX6sc31HNWSTTsE+5iiyAPl8offsT6gIIXOXRaWQowmdmNhgM8NcmhBAvxOQ==",
            ProviderSigners.DokuSnap("POST", "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va", "ACCESS-TOKEN-TEST", snapBody, "2024-01-01T07:00:00+07:00", "SNAP-client-secret-TEST"));

        var ipaymuBody = Encoding.UTF8.GetBytes("""{"name":"Buyer","phone":"08123456789","email":"buyer@example.com","amount":10000,"notifyUrl":"https://merchant.example/cb","referenceId":"REF123","paymentMethod":"va","paymentChannel":"bca"}""");
        Assert.Equal("689468fe50854e2faf1c2f7859f97ad9014167300abe2c129359e463fd2eedd1", ProviderSigners.IpaymuRequest("0000001234567890", ipaymuBody, "SANDBOX-TEST-API-KEY"));
        var callback = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["trx_id"] = "12345678",
            ["reference_id"] = "REF123",
            ["status"] = "berhasil",
            ["status_code"] = "1",
            ["sid"] = "SESSION789",
            ["via"] = "va",
            ["channel"] = "bca",
            ["amount"] = "10000",
            ["total"] = "10000",
            ["fee"] = "0",
            ["paid_off"] = "10000",
            ["url"] = "https://merchant.example/cb",
            ["additional_info"] = Array.Empty<object>(),
        };
        Assert.Equal("5db7985139a6e5696bef5081b15db71014f123c0cc87bf93a15aa4e9d7001bf8", ProviderSigners.IpaymuCallback(callback, "0000001234567890"));
        callback["trx_id"] = 12345678L;
        callback["status_code"] = 1L;
        callback["paid_off"] = 10000L;
        Assert.Equal("b0e49730c7f826e0d9a57d5b46b0401c279371ecbaa5660c7728e768860cbe7b", ProviderSigners.IpaymuCallback(callback, "0000001234567890"));

        var stripe = Encoding.UTF8.GetBytes("""{"id":"evt_test_0001","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_test_0001","object":"payment_intent","amount":15000000,"currency":"idr","status":"succeeded"}}}""");
        Assert.Equal("t=1700000000,v1=99310bb628361007c0bdeb15be870e443a46be309bb95a234e7ac223a2610d48", ProviderSigners.Stripe("whsec_test_secret_0123456789", 1_700_000_000, stripe));
    }
}
