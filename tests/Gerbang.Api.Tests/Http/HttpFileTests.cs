using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gerbang.Api.Tests.Browser;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// Every feature folder's <c>.http</c> file, run against a real Gerbang as an editor's REST client runs
/// it: file variables, <c>{{$processEnv …}}</c>, <c>{{$guid}}</c>, and named requests whose answers
/// later requests read (<c>{{name.response.body.$.id}}</c>). Each request must answer below 400, or
/// the status its <c># @expect</c> names.
/// </summary>
public sealed partial class HttpFileTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static string Source => Path.Combine(BrowserFixture.RepositoryRoot, "src", "Gerbang.Api");

    private static List<string> HttpFiles() =>
        Directory.EnumerateFiles(Source, "*.http", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Source, f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in HttpFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void Every_folder_with_endpoints_has_a_http_file()
    {
        var withEndpoints = Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains("Dashboard", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\.Map(Get|Post|Patch|Put|Delete)\("))
            .Select(f => Path.GetRelativePath(Source, f).Split(Path.DirectorySeparatorChar)[0])
            .Where(folder => !folder.EndsWith(".cs", StringComparison.Ordinal))
            .ToHashSet();
        var withFiles = HttpFiles().Select(f => f.Split(Path.DirectorySeparatorChar)[0]).ToHashSet();
        Assert.True(withEndpoints.Count >= 10, string.Join(", ", withEndpoints));
        Assert.Empty(withEndpoints.Except(withFiles));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task The_http_file_runs_against_the_gateway(string file)
    {
        var merchant = await gerbang.NewMerchantAsync("Http file");
        var environment = new Dictionary<string, string>
        {
            ["GERBANG_API_KEY"] = merchant.Key,
            ["GERBANG_ADMIN_EMAIL"] = GerbangFixture.AdminEmail,
            ["GERBANG_ADMIN_PASSWORD"] = GerbangFixture.AdminPassword,
        };
        var text = await File.ReadAllTextAsync(Path.Combine(Source, file));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var blocks = Regex.Split(text, @"^###.*$", RegexOptions.Multiline);
        var sent = 0;
        foreach (var block in blocks)
        {
            string? name = null;
            int? expect = null;
            var lines = block.Replace("\r", "", StringComparison.Ordinal).Split('\n').ToList();
            var i = 0;
            string? requestLine = null;
            for (; i < lines.Count; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('#'))
                {
                    if (NameComment().Match(line) is { Success: true } named)
                    {
                        name = named.Groups[1].Value;
                    }
                    else if (ExpectComment().Match(line) is { Success: true } expected)
                    {
                        expect = int.Parse(expected.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    continue;
                }

                if (FileVariable().Match(line) is { Success: true } variable)
                {
                    variables[variable.Groups[1].Value] = variable.Groups[2].Value.Trim();
                    continue;
                }

                requestLine = line;
                i++;
                break;
            }

            if (requestLine is null)
            {
                continue;
            }

            string Expand(string s) => Placeholder().Replace(s, m =>
            {
                var expression = m.Groups[1].Value.Trim();
                if (expression == "base")
                {
                    return gerbang.BaseUrl.TrimEnd('/');
                }

                if (expression == "$guid")
                {
                    return Guid.NewGuid().ToString("N");
                }

                if (expression.StartsWith("$processEnv ", StringComparison.Ordinal))
                {
                    return environment[expression["$processEnv ".Length..].Trim()];
                }

                if (variables.TryGetValue(expression, out var value))
                {
                    return Expand(value);
                }

                var reference = ResponseReference().Match(expression);
                Assert.True(reference.Success, $"{file}: cannot expand {{{{{expression}}}}}");
                var node = answers[reference.Groups[1].Value];
                foreach (Match step in PathStep().Matches(reference.Groups[2].Value))
                {
                    node = step.Groups[1].Success ? node.GetProperty(step.Groups[1].Value) : node[int.Parse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)];
                }

                return node.ValueKind == JsonValueKind.String ? node.GetString()! : node.GetRawText();
            });

            var parts = Expand(requestLine).Split(' ', 2);
            using var request = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1].Trim());
            var contentHeaders = new List<(string, string)>();
            for (; i < lines.Count && lines[i].Trim().Length > 0; i++)
            {
                var header = Expand(lines[i]).Split(':', 2);
                if (header[0].Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentHeaders.Add((header[0].Trim(), header[1].Trim()));
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(header[0].Trim(), header[1].Trim());
                }
            }

            var body = string.Join('\n', lines.Skip(i)).Trim();
            if (body.Length > 0 || contentHeaders.Count > 0)
            {
                request.Content = new StringContent(Expand(body), Encoding.UTF8);
                foreach (var (_, value) in contentHeaders)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                }
            }

            using var client = new HttpClient();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                Assert.Equal(expect ?? 200, status);
                sent++;
                continue;
            }

            var answer = await response.Content.ReadAsStringAsync();
            Assert.True(expect is { } e ? status == e : status < 400, $"{file}: {requestLine} answered {status}: {answer}");
            if (name is not null)
            {
                answers[name] = JsonDocument.Parse(answer).RootElement.Clone();
            }

            sent++;
        }

        Assert.True(sent >= 2, $"{file}: only {sent} requests");
    }

    [GeneratedRegex(@"^#\s*@name\s+(\w+)")]
    private static partial Regex NameComment();

    [GeneratedRegex(@"^#\s*@expect\s+(\d{3})")]
    private static partial Regex ExpectComment();

    [GeneratedRegex(@"^@(\w+)\s*=\s*(.*)$")]
    private static partial Regex FileVariable();

    [GeneratedRegex(@"\{\{(.+?)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^(\w+)\.response\.body\.\$(.*)$")]
    private static partial Regex ResponseReference();

    [GeneratedRegex(@"\.(\w+)|\[(\d+)\]")]
    private static partial Regex PathStep();
}
