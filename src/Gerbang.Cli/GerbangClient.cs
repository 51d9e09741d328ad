using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gerbang.Cli;

/// <summary>One answer from Gerbang: its status and body (null when there was no answer at all).</summary>
public sealed record ApiAnswer(int Status, byte[] Body, string? ContentType)
{
    public bool IsJson => ContentType is { } t && (t.StartsWith("application/json", StringComparison.Ordinal) || t.StartsWith("application/problem+json", StringComparison.Ordinal));

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

    public int ExitCode => Status switch
    {
        < 400 => ExitCodes.Ok,
        < 500 => ExitCodes.Refused,
        _ => ExitCodes.Failed,
    };
}

/// <summary>
/// Speaks to Gerbang over HTTP. Every POST carries an Idempotency-Key, so a request whose answer was
/// lost (connection dropped, 5xx, 429) is sent again with the same key and can never act twice.
/// </summary>
public sealed class GerbangClient(Uri baseUri, string? credential, CliConsole console, int retries, string? idempotencyKey) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly HttpClient _http = new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };

    public CliConsole Console => console;

    public Uri BaseUri => baseUri;

    public void Dispose() => _http.Dispose();

    /// <summary>Sends a request and prints the answer: JSON indented on stdout, a problem on stderr. Returns the exit code.</summary>
    public async Task<int> RunAsync(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(method, path, body, cancellationToken);
        return answer is null ? ExitCodes.Failed : Print(answer);
    }

    public int Print(ApiAnswer answer)
    {
        if (answer.Status >= 400)
        {
            PrintProblem(answer);
        }
        else if (answer.IsJson && answer.Body.Length > 0)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(answer.Json(), Indented));
        }
        else if (answer.Body.Length > 0)
        {
            console.Out.WriteLine(Encoding.UTF8.GetString(answer.Body));
        }

        return answer.ExitCode;
    }

    public static string Pretty(JsonElement element) => JsonSerializer.Serialize(element, Indented);

    /// <summary>A request to <paramref name="path"/> (relative to Gerbang's base URL) carrying the credential.</summary>
    public HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        return request;
    }

    /// <summary>Sends with retries; null when Gerbang could not be reached at all (the reason is written).</summary>
    public async Task<ApiAnswer?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var key = method == HttpMethod.Post ? idempotencyKey ?? "cli_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : null;
        var payload = body is null ? null : body as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(body);
        for (var attempt = 0; ; attempt++)
        {
            using var request = NewRequest(method, path);
            if (key is not null)
            {
                request.Headers.Add("Idempotency-Key", key);
            }

            if (payload is not null)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            TimeSpan? wait = null;
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                var answer = new ApiAnswer((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Content.Headers.ContentType?.MediaType);
                if (attempt >= retries || (answer.Status < 500 && answer.Status != (int)HttpStatusCode.TooManyRequests))
                {
                    return answer;
                }

                wait = response.Headers.RetryAfter?.Delta;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= retries)
                {
                    console.Error.WriteLine($"error: Gerbang at {baseUri} could not be reached: {ex.Message}");
                    return null;
                }
            }

            var delay = wait is { } w && w <= TimeSpan.FromSeconds(30) ? w : TimeSpan.FromMilliseconds(250 * (1 << attempt));
            await Task.Delay(delay, cancellationToken);
        }
    }

    private void PrintProblem(ApiAnswer answer)
    {
        if (!answer.IsJson)
        {
            console.Error.WriteLine($"error: HTTP {answer.Status}");
            return;
        }

        var problem = answer.Json();
        string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var param = Text(problem, "param") is { } p ? $" [{p}]" : "";
        console.Error.WriteLine($"error: {answer.Status} {Text(problem, "code") ?? "error"}{param}: {Text(problem, "detail") ?? Text(problem, "title")}");
        if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in errors.EnumerateArray())
            {
                console.Error.WriteLine($"  {Text(e, "param")}: {Text(e, "code")}: {Text(e, "detail")}");
            }
        }

        if (Text(problem, "request_id") is { } requestId)
        {
            console.Error.WriteLine($"  request {requestId}");
        }
    }
}
