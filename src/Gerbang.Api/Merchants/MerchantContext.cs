using Gerbang.Domain;

namespace Gerbang.Api.Merchants;

/// <summary>Who is calling a /v1 route: the merchant and the mode its key belongs to.</summary>
public sealed record MerchantContext(string MerchantId, Mode Mode, string KeyId)
{
    private const string ItemKey = "gerbang.merchant";

    public bool Livemode => Mode == Mode.Live;

    public string ModeWire => Mode.ToWire();

    public static MerchantContext Of(HttpContext context) =>
        context.Items[ItemKey] as MerchantContext ?? throw new InvalidOperationException("The route is not behind merchant authentication.");

    public void Attach(HttpContext context) => context.Items[ItemKey] = this;
}
