using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Gerbang.Simulators.Shared;

/// <summary>One notification a simulated provider sent (or meant to send, when notifications are dropped).</summary>
public sealed record SentNotification(string Id, Uri Url, string Body, IReadOnlyDictionary<string, string> Headers, string ContentType, DateTimeOffset SentAt, int? ReceiverStatus, bool Dropped)
{
    public JsonObject Describe() => new()
    {
        ["id"] = Id,
        ["url"] = Url.ToString(),
        ["body"] = Body,
        ["sent_at"] = SentAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["receiver_status"] = ReceiverStatus,
        ["dropped"] = Dropped,
    };
}

/// <summary>
/// Every notification a simulated provider sent, kept so that it can be delivered again later exactly
/// as it was (same body, same signature): a real provider's retry, hours after the first try.
/// </summary>
public sealed class NotificationLog
{
    private readonly ConcurrentDictionary<string, SentNotification> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public SentNotification Add(Uri url, string body, IReadOnlyDictionary<string, string>? headers, string contentType, DateTimeOffset at, int? receiverStatus, bool dropped)
    {
        var sent = new SentNotification("ntf_" + Guid.NewGuid().ToString("N")[..20], url, body, headers ?? new Dictionary<string, string>(), contentType, at, receiverStatus, dropped);
        _byId[sent.Id] = sent;
        _order.Enqueue(sent.Id);
        return sent;
    }

    public SentNotification? Find(string id) => _byId.TryGetValue(id, out var n) ? n : null;

    public IReadOnlyList<SentNotification> All => _order.Select(id => _byId[id]).ToList();
}

/// <summary>
/// The simulated provider's own books, per merchant reference (the order id or reference the merchant
/// system gave the provider): money taken, refunded (whoever asked) and paid out. Tests compare them
/// with Gerbang's ledger: the provider is the oracle.
/// </summary>
public sealed class SimulatorBooks
{
    private readonly ConcurrentDictionary<string, long[]> _accounts = new(StringComparer.Ordinal);

    public void Taken(string reference, string currency, long amount) => Add(reference, currency, 0, amount);

    public void Refunded(string reference, string currency, long amount) => Add(reference, currency, 1, amount);

    public void PaidOut(string reference, string currency, long amount) => Add(reference, currency, 2, amount);

    public JsonObject Describe()
    {
        var entries = new JsonObject();
        var totals = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (key, v) in _accounts.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            var (currency, reference) = Split(key);
            entries[reference] = new JsonObject { ["currency"] = currency, ["taken"] = Interlocked.Read(ref v[0]), ["refunded"] = Interlocked.Read(ref v[1]), ["paid_out"] = Interlocked.Read(ref v[2]) };
            var t = totals.TryGetValue(currency, out var found) ? found : totals[currency] = new long[3];
            t[0] += v[0];
            t[1] += v[1];
            t[2] += v[2];
        }

        var sum = new JsonObject();
        foreach (var (currency, t) in totals)
        {
            sum[currency] = new JsonObject { ["taken"] = t[0], ["refunded"] = t[1], ["paid_out"] = t[2] };
        }

        return new JsonObject { ["references"] = entries, ["totals"] = sum };
    }

    /// <summary>What the books hold for one reference: taken, refunded, paid out.</summary>
    public (long Taken, long Refunded, long PaidOut) Of(string reference, string currency) =>
        _accounts.TryGetValue(currency + "|" + reference, out var v) ? (Interlocked.Read(ref v[0]), Interlocked.Read(ref v[1]), Interlocked.Read(ref v[2])) : (0, 0, 0);

    private void Add(string reference, string currency, int column, long amount)
    {
        var account = _accounts.GetOrAdd(currency + "|" + reference, _ => new long[3]);
        Interlocked.Add(ref account[column], amount);
    }

    private static (string Currency, string Reference) Split(string key)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return (key[..bar], key[(bar + 1)..]);
    }
}
