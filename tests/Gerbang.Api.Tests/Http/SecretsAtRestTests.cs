using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

public sealed class SecretsAtRestTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    [Fact]
    public async Task No_key_or_webhook_secret_is_stored_shown_again_or_logged()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var live = await gerbang.NewLiveMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/s", enabled_events = new[] { "*" } }, "secret-create");
        var (_, replayed, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/s", enabled_events = new[] { "*" } }, "secret-create");
        Assert.Equal(endpoint.Str("secret"), replayed.Str("secret"));
        var (_, rolled, _) = await merchant.Client.PostJsonAsync("/v1/merchant/api_keys/roll", new { expires_in = 60 }, "roll-1");
        var (_, rotated, _) = await merchant.Client.PostJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}/rotate_secret", null, "rotate-1");
        string[] secrets = [merchant.Key, live.Key, endpoint.Str("secret"), rolled.Str("secret_key"), rotated.Str("secret"), GerbangFixture.AdminPassword];

        // Every text and byte column of every table, as the database holds it.
        await using var tables = gerbang.Db.CreateCommand("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var table in names)
        {
            await using var dump = gerbang.Db.CreateCommand($"select coalesce(string_agg(t::text, E'\\n'), '') from {table} t");
            var text = (string)(await dump.ExecuteScalarAsync())!;
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(secret)), text, StringComparison.OrdinalIgnoreCase);
            }
        }

        var (_, listed) = await merchant.Client.GetJsonAsync("/v1/webhook_endpoints");
        var (_, one) = await merchant.Client.GetJsonAsync($"/v1/webhook_endpoints/{endpoint.Str("id")}");
        var (_, profile) = await merchant.Client.GetJsonAsync("/v1/merchant");
        var logs = string.Join("\n", LogCapture.Lines);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, listed.GetRawText() + one.GetRawText() + profile.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }
}
