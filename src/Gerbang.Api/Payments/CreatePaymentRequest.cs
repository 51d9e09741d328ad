using System.Globalization;
using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Domain;
using Gerbang.Domain.Payments;

namespace Gerbang.Api.Payments;

/// <summary>A validated <c>POST /v1/payments</c> body.</summary>
public sealed record CreatePaymentRequest(
    Money Amount,
    PaymentMethod Method,
    string? Bank,
    string OrderId,
    string? Description,
    string? CustomerJson,
    string? CustomerName,
    string? CustomerEmail,
    string MetadataJson,
    string? StoreId,
    string? Provider,
    TimeSpan? ExpiresIn,
    DateTimeOffset? ExpiresAt) : IRequestBody<CreatePaymentRequest>
{
    /// <summary>For cards: charge at once (default) or authorise and wait for a capture.</summary>
    public CaptureMethod Capture { get; init; } = CaptureMethod.Automatic;

    /// <summary>For cards: where the provider's card page sends the customer when it is done.</summary>
    public Uri? ReturnUrl { get; init; }

    /// <summary>For UPI: the customer's virtual payment address (<c>name@bank</c>).</summary>
    public string? Vpa { get; init; }

    public static IReadOnlyList<string> KnownProviders { get; } = ["midtrans", "xendit", "doku", "ipaymu", "stripe", "simulator"];

    /// <summary>Reads the body strictly; a return URL and an expiry are checked against the caller's mode and the time of the request.</summary>
    public static CreatePaymentRequest? Read(Fields f)
    {
        var (now, live) = (f.Now, f.Live);
        var amount = f.Amount("amount", required: true);
        var currencyText = f.String("currency", required: true, maxLength: 3);
        var currency = Currency.Idr;
        if (currencyText is not null && !Currency.TryParse(currencyText, out currency))
        {
            f.Add("currency", "currency_invalid", "currency must be an upper-case ISO 4217 code Gerbang supports, such as IDR.");
        }

        var methodText = f.String("method", required: true, maxLength: 20);
        var method = PaymentMethod.Va;
        if (methodText is not null && !PaymentMethods.TryParse(methodText, out method))
        {
            f.Add("method", "method_invalid", "method must be one of va, qris, card, upi.");
        }

        var captureText = f.String("capture_method", required: false, maxLength: 20);
        var capture = CaptureMethod.Automatic;
        string? returnUrl = null;
        if (methodText == "card")
        {
            if (captureText is not null && !PaymentMethods.TryParseCapture(captureText, out capture))
            {
                f.Add("capture_method", "parameter_invalid", "capture_method must be automatic or manual.");
            }

            returnUrl = f.Url("return_url", live, required: false);
        }
        else
        {
            f.String("return_url", required: false, maxLength: 2000);
            foreach (var cardOnly in new[] { "capture_method", "return_url" })
            {
                if (f.Has(cardOnly))
                {
                    f.Add(cardOnly, "parameter_unexpected", $"{cardOnly} applies only to card payments.");
                }
            }
        }

        var bank = f.String("bank", required: false, maxLength: 20);
        if (methodText == "va")
        {
            if (bank is null && !f.Has("bank"))
            {
                f.Add("bank", "parameter_missing", "bank is required for va payments.");
            }
            else if (bank is not null && !PaymentMethods.VaBanks.Contains(bank))
            {
                f.Add("bank", "bank_invalid", $"bank must be one of {string.Join(", ", PaymentMethods.VaBanks)}.");
            }
        }
        else if (bank is not null && methodText is "qris" or "card" or "upi")
        {
            f.Add("bank", "parameter_unexpected", "bank applies only to va payments.");
        }

        var vpa = f.String("vpa", required: false, maxLength: 321);
        if (methodText == "upi")
        {
            if (vpa is null && !f.Has("vpa"))
            {
                f.Add("vpa", "parameter_missing", "vpa (the customer's UPI address, such as name@bank) is required for upi payments.");
            }
            else if (vpa is not null && !PaymentMethods.IsVpa(vpa))
            {
                f.Add("vpa", "vpa_invalid", "vpa must be a UPI address such as name@bank.");
            }

            if (currencyText is not null && Currency.TryParse(currencyText, out _) && currencyText != "INR")
            {
                f.Add("currency", "currency_invalid", "upi payments are in INR.");
            }
        }
        else if (vpa is not null && methodText is "va" or "qris" or "card")
        {
            f.Add("vpa", "parameter_unexpected", "vpa applies only to upi payments.");
        }

        var orderId = f.String("order_id", required: true, minLength: 1, maxLength: 64);
        var description = f.String("description", required: false, maxLength: 500);
        var (customerJson, customerName, customerEmail) = Customer(f);
        var (metadataJson, storeId) = Metadata(f);
        var provider = f.String("provider", required: false, maxLength: 20);
        if (provider is not null && !KnownProviders.Contains(provider))
        {
            f.Add("provider", "provider_invalid", $"provider must be one of {string.Join(", ", KnownProviders)}.");
        }

        var expiresIn = f.Integer("expires_in", 60, (long)TimeSpan.FromDays(30).TotalSeconds);
        var expiresAtText = f.String("expires_at", required: false, maxLength: 40);
        DateTimeOffset? expiresAt = null;
        if (expiresAtText is not null)
        {
            if (!DateTimeOffset.TryParse(expiresAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || !expiresAtText.Contains('T', StringComparison.Ordinal))
            {
                f.Add("expires_at", "parameter_invalid_time", "expires_at must be an RFC 3339 time.");
            }
            else if (at < now.AddSeconds(60) || at > now.AddDays(30))
            {
                f.Add("expires_at", "parameter_out_of_range", "expires_at must be between 1 minute and 30 days from now.");
            }
            else
            {
                expiresAt = at;
            }
        }

        if (expiresIn is not null && expiresAtText is not null)
        {
            f.Add("expires_at", "parameter_conflict", "Give expires_in or expires_at, not both.");
        }

        Items(f, amount);
        f.RejectUnknown();
        if (f.Errors.Count > 0)
        {
            return null;
        }

        return new CreatePaymentRequest(
            new Money(amount!.Value, currency), method, bank, orderId!, description, customerJson, customerName, customerEmail,
            metadataJson, storeId, provider, expiresIn is { } s ? TimeSpan.FromSeconds(s) : null, expiresAt)
        {
            Capture = capture,
            ReturnUrl = returnUrl is null ? null : new Uri(returnUrl),
            Vpa = method == PaymentMethod.Upi ? vpa : null,
        };
    }

    private static (string? Json, string? Name, string? Email) Customer(Fields f)
    {
        if (f.Element("customer", JsonValueKind.Object) is not { } customer)
        {
            return (null, null, null);
        }

        var c = new Fields(customer);
        var name = c.String("name", required: false, maxLength: 100, param: "customer[name]");
        var email = c.String("email", required: false, maxLength: 200, param: "customer[email]");
        var phone = c.String("phone", required: false, maxLength: 30, param: "customer[phone]");
        if (email is not null && (!email.Contains('@', StringComparison.Ordinal) || email.StartsWith('@') || email.EndsWith('@')))
        {
            c.Add("customer[email]", "parameter_invalid", "customer.email must be an email address.");
        }

        if (phone is not null && !phone.All(ch => char.IsAsciiDigit(ch) || ch is '+' or ' ' or '-'))
        {
            c.Add("customer[phone]", "parameter_invalid", "customer.phone must be a phone number.");
        }

        foreach (var p in customer.EnumerateObject().Where(p => p.Name is not ("name" or "email" or "phone")))
        {
            c.Add($"customer[{p.Name}]", "parameter_unknown", $"customer.{p.Name} is not a known field.");
        }

        f.Errors.AddRange(c.Errors);
        var json = JsonSerializer.Serialize(new Dictionary<string, string?> { ["name"] = name, ["email"] = email, ["phone"] = phone });
        return (json, name, email);
    }

    private static (string Json, string? StoreId) Metadata(Fields f)
    {
        if (f.Element("metadata", JsonValueKind.Object) is not { } metadata)
        {
            return ("{}", null);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in metadata.EnumerateObject())
        {
            if (p.Name.Length is 0 or > 40)
            {
                f.Add($"metadata[{p.Name}]", "metadata_key_invalid", "metadata keys must be 1 to 40 characters.");
            }
            else if (p.Value.ValueKind != JsonValueKind.String)
            {
                f.Add($"metadata[{p.Name}]", "metadata_value_invalid", "metadata values must be strings.");
            }
            else if (p.Value.GetString()!.Length > 500)
            {
                f.Add($"metadata[{p.Name}]", "metadata_value_invalid", "metadata values must be at most 500 characters.");
            }
            else
            {
                values[p.Name] = p.Value.GetString()!;
            }
        }

        if (metadata.EnumerateObject().Count() > 50)
        {
            f.Add("metadata", "metadata_too_many_keys", "metadata may have at most 50 keys.");
        }

        return (JsonSerializer.Serialize(values), values.GetValueOrDefault("store_id"));
    }

    private static void Items(Fields f, long? amount)
    {
        if (f.Element("items", JsonValueKind.Array) is not { } items)
        {
            return;
        }

        if (items.GetArrayLength() is 0 or > 100)
        {
            f.Add("items", "parameter_invalid_length", "items must hold 1 to 100 lines.");
            return;
        }

        long total = 0;
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                f.Add($"items[{index}]", "parameter_invalid_type", "each item must be an object.");
                return;
            }

            var i = new Fields(item);
            i.String("name", required: true, maxLength: 200, param: $"items[{index}][name]");
            var quantity = i.Integer("quantity", 1, 1_000_000);
            var price = i.Amount("price", required: true);
            i.RejectUnknown();
            f.Errors.AddRange(i.Errors.Select(e => e.Param.StartsWith("items[", StringComparison.Ordinal) ? e : e with { Param = $"items[{index}][{e.Param}]" }));
            if (quantity is null || price is null)
            {
                return;
            }

            total = checked(total + (quantity.Value * price.Value));
            index++;
        }

        if (amount is { } a && total != a)
        {
            f.Add("items", "items_total_mismatch", $"The items add up to {total}, not to amount {a}.");
        }
    }
}
