using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// Pays the same number of payments for one merchant ("hot") and spread over many merchants, and
// prints both rates and their ratio. Usage: HotMerchant <base url> <admin email> <admin password> [payments] [concurrency]
var baseUrl = new Uri(args[0]);
var payments = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var concurrency = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 32;
using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

var login = await (await http.PostAsJsonAsync("/admin/v1/login", new { email = args[1], password = args[2] })).Content.ReadFromJsonAsync<JsonElement>();
var token = login.GetProperty("access_token").GetString();

async Task<string> MerchantAsync(int i)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/merchants") { Content = JsonContent.Create(new { name = $"bench {i}", reason = "benchmark" }) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var body = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
    return body.GetProperty("secret_key").GetString()!;
}

async Task<List<(string Key, string Payment)>> CreateAsync(IReadOnlyList<string> keys, string tag)
{
    var created = new List<(string, string)>();
    var gate = new SemaphoreSlim(concurrency);
    var tasks = Enumerable.Range(0, payments).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var key = keys[i % keys.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments")
            {
                Content = JsonContent.Create(new { amount = 10_000, currency = "IDR", method = "qris", order_id = $"{tag}-{i}" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var body = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
            lock (created)
            {
                created.Add((key, body.GetProperty("id").GetString()!));
            }
        }
        finally
        {
            gate.Release();
        }
    });
    await Task.WhenAll(tasks);
    return created;
}

async Task<double> PayAsync(List<(string Key, string Payment)> items)
{
    var gate = new SemaphoreSlim(concurrency);
    var failures = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(items.Select(async item =>
    {
        await gate.WaitAsync();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/test_helpers/payments/{item.Payment}/pay");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", item.Key);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref failures);
            }
        }
        finally
        {
            gate.Release();
        }
    }));
    watch.Stop();
    Console.WriteLine($"  {DateTime.UtcNow:HH:mm:ss.fff} {items.Count / watch.Elapsed.TotalSeconds:F0} paid/s over {watch.Elapsed.TotalSeconds:F1} s");
    if (failures > 0)
    {
        Console.WriteLine($"  {failures} payments failed to pay");
    }

    return items.Count / watch.Elapsed.TotalSeconds;
}

var hotKey = await MerchantAsync(0);
var spreadKeys = new List<string>();
for (var i = 1; i <= 100; i++)
{
    spreadKeys.Add(await MerchantAsync(i));
}

// Warm-up, then rounds in the order hot, spread, spread, hot (twice), so that drift over the run
// (a growing database, checkpoints) weighs on both sides alike.
await PayAsync(await CreateAsync(spreadKeys, "warm"));
var hot = new List<double>();
var spread = new List<double>();
// HOT_MERCHANT_ROUNDS (e.g. "hhhh" or "ssss") replaces the order, to profile one side alone.
var order = (Environment.GetEnvironmentVariable("HOT_MERCHANT_ROUNDS") ?? "hsshhssh").Select(c => c == 'h').ToArray();
for (var round = 0; round < order.Length; round++)
{
    if (order[round])
    {
        hot.Add(await PayAsync(await CreateAsync([hotKey], $"hot{round}")));
    }
    else
    {
        spread.Add(await PayAsync(await CreateAsync(spreadKeys, $"spread{round}")));
    }
}

if (hot.Count == 0 || spread.Count == 0)
{
    Console.WriteLine($"paid/s: {hot.Concat(spread).Average():F0}");
    return;
}

Console.WriteLine($"hot merchant:  {hot.Average():F0} payments paid/s ({string.Join(", ", hot.Select(h => h.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})");
Console.WriteLine($"100 merchants: {spread.Average():F0} payments paid/s ({string.Join(", ", spread.Select(h => h.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})");
Console.WriteLine($"ratio hot/spread: {hot.Average() / spread.Average():F2}   (target >= 0.80)");
