using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gerbang.Domain.Webhooks;

namespace Gerbang.Cli.Commands;

/// <summary>
/// <c>gerbang listen</c>: follows the merchant's events live (<c>GET /v1/events/stream</c>), printing a
/// line each, and with <c>--forward-to</c> posts each one to a local server signed as Gerbang signs its
/// webhooks (Standard Webhooks), so a shop's webhook handler can be built before it is reachable from
/// outside. A dropped stream is resumed from the last event seen (<c>Last-Event-ID</c>), so none is missed.
/// </summary>
public static class ListenCommand
{
    public static Command Build(CliContext context)
    {
        var storeId = Endpoints.Opt<string?>("--store-id", "Only events of payments whose metadata has this store_id");
        var events = Endpoints.ListOption("--events", "Only these types (payment.paid, or payment.* for a family), comma-separated or repeated");
        var forwardTo = Endpoints.Opt<string?>("--forward-to", "POST each event to this URL, signed like a Gerbang webhook");
        var secret = Endpoints.Opt<string?>("--secret", "The whsec_ secret to sign forwarded events with (default: a new one, printed at start)");
        var maxEvents = Endpoints.Opt<int?>("--max-events", "Stop after this many events");
        var command = new Command("listen", "Follow events live; optionally forward them, signed, to a local webhook handler")
        {
            storeId, events, forwardTo, secret, maxEvents,
        };
        command.SetAction((result, ct) => context.WithClientAsync(result, Audience.Merchant, async client =>
        {
            Uri? target = null;
            if (result.GetValue(forwardTo) is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out target) || target.Scheme is not ("http" or "https")))
            {
                context.Console.Error.WriteLine("error: --forward-to must be an absolute http(s) URL");
                return ExitCodes.Usage;
            }

            var signingSecret = result.GetValue(secret) ?? StandardWebhooks.NewSecret();
            byte[] key;
            try
            {
                key = StandardWebhooks.KeyFromSecret(signingSecret);
            }
            catch (FormatException)
            {
                context.Console.Error.WriteLine("error: --secret must be whsec_ followed by base64");
                return ExitCodes.Usage;
            }

            var listener = new Listener(client, target, key, Endpoints.Items(result.GetValue(events)), result.GetValue(maxEvents));
            if (target is not null)
            {
                context.Console.Error.WriteLine($"Forwarding events to {target}; they are signed with {signingSecret}");
            }

            return await listener.RunAsync(Endpoints.Query([("store_id", result.GetValue(storeId))]), ct);
        }));
        return command;
    }

    private sealed class Listener(GerbangClient client, Uri? target, byte[] key, string[] types, int? maxEvents)
    {
        private readonly TextWriter _out = client.Console.Out;
        private readonly TextWriter _error = client.Console.Error;
        private int _seen;

        public async Task<int> RunAsync(string query, CancellationToken ct)
        {
            using var stream = new HttpClient { BaseAddress = client.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
            using var forward = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
            string? lastId = null;
            var retry = TimeSpan.FromSeconds(3);
            var failures = 0;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var request = client.NewRequest(HttpMethod.Get, "/v1/events/stream" + query);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                    if (lastId is not null)
                    {
                        request.Headers.Add("Last-Event-ID", lastId);
                    }

                    using var response = await stream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                    if (!response.IsSuccessStatusCode)
                    {
                        return client.Print(new ApiAnswer((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct), response.Content.Headers.ContentType?.MediaType));
                    }

                    if (failures == 0 && lastId is null)
                    {
                        _error.WriteLine("Listening for events; Ctrl+C to stop.");
                    }

                    failures = 0;
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
                    var (id, type, data) = ((string?)null, (string?)null, new StringBuilder());
                    while (await reader.ReadLineAsync(ct) is { } line)
                    {
                        if (line.Length == 0)
                        {
                            if (id is not null && data.Length > 0)
                            {
                                lastId = id;
                                if (await OnEventAsync(forward, id, type ?? "", data.ToString(), ct))
                                {
                                    return ExitCodes.Ok;
                                }
                            }

                            (id, type) = (null, null);
                            data.Clear();
                        }
                        else if (line.StartsWith("id:", StringComparison.Ordinal))
                        {
                            id = line[3..].Trim();
                        }
                        else if (line.StartsWith("event:", StringComparison.Ordinal))
                        {
                            type = line[6..].Trim();
                        }
                        else if (line.StartsWith("data:", StringComparison.Ordinal))
                        {
                            data.Append(data.Length > 0 ? "\n" : "").Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
                        }
                        else if (line.StartsWith("retry:", StringComparison.Ordinal) && int.TryParse(line[6..].Trim(), out var ms))
                        {
                            retry = TimeSpan.FromMilliseconds(Math.Clamp(ms, 100, 60_000));
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    if (++failures > 1 && failures % 10 == 1)
                    {
                        _error.WriteLine($"Gerbang unreachable ({ex.Message}); still trying.");
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    await Task.Delay(retry, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return ExitCodes.Ok;
        }

        /// <summary>Prints (and forwards) one event; true when the run has seen as many as it was asked to.</summary>
        private async Task<bool> OnEventAsync(HttpClient forward, string id, string type, string data, CancellationToken ct)
        {
            if (types.Length > 0 && !types.Any(t => t == type || (t.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(t[..^1], StringComparison.Ordinal))))
            {
                return false;
            }

            _out.WriteLine(Describe(id, type, data));
            if (target is not null)
            {
                _out.WriteLine("  -> " + await ForwardAsync(forward, id, data, ct));
            }

            await _out.FlushAsync(ct);
            return maxEvents is { } max && ++_seen >= max;
        }

        private static string Describe(string id, string type, string data)
        {
            try
            {
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                var created = root.TryGetProperty("created_at", out var c) ? c.GetString() : "";
                var subject = root.TryGetProperty("data", out var d) && d.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
                string? Field(string name) => subject.ValueKind == JsonValueKind.Object && subject.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                return $"{created}  {type,-26} {id}  {Field("id")} {Field("status")}".TrimEnd();
            }
            catch (JsonException)
            {
                return $"{type,-26} {id}";
            }
        }

        private async Task<string> ForwardAsync(HttpClient forward, string id, string data, CancellationToken ct)
        {
            var body = Encoding.UTF8.GetBytes(data);
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhooks.Sign(key, id, timestamp, body));
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await forward.SendAsync(request, ct);
                return $"{(int)response.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return $"not delivered: {ex.Message}";
            }
        }
    }
}
