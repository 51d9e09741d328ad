using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gerbang.Simulators.Generic;
using Gerbang.Simulators.Midtrans;
using Gerbang.Simulators.Stripe;
using Gerbang.Simulators.Xendit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>
/// A simulated provider's control API over HTTP, as an outside suite drives it: its sent notifications
/// (redelivered later, byte for byte, as the provider's retries), refunds from its own dashboard and its books.
/// </summary>
public sealed class SimulatorControl : IDisposable
{
    private readonly HttpClient _client;
    private readonly string _prefix;

    public SimulatorControl(GerbangFixture gerbang, string provider)
    {
        var services = gerbang.App.Services;
        _client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        _client.DefaultRequestHeaders.Authorization = provider switch
        {
            "doku" => Basic(services.GetRequiredService<IOptions<Gerbang.Simulators.Doku.DokuSimulatorOptions>>().Value.ClientId, services.GetRequiredService<IOptions<Gerbang.Simulators.Doku.DokuSimulatorOptions>>().Value.SecretKey),
            "ipaymu" => Basic(services.GetRequiredService<IOptions<Gerbang.Simulators.Ipaymu.IpaymuSimulatorOptions>>().Value.Va, services.GetRequiredService<IOptions<Gerbang.Simulators.Ipaymu.IpaymuSimulatorOptions>>().Value.ApiKey),
            "midtrans" => Basic(services.GetRequiredService<IOptions<MidtransSimulatorOptions>>().Value.ServerKey),
            "xendit" => Basic(services.GetRequiredService<IOptions<XenditSimulatorOptions>>().Value.SecretKey),
            "stripe" => new AuthenticationHeaderValue("Bearer", services.GetRequiredService<IOptions<StripeSimulatorOptions>>().Value.SecretKey),
            _ => new AuthenticationHeaderValue("Bearer", services.GetRequiredService<IOptions<GenericSimulatorOptions>>().Value.ApiKey),
        };
        _prefix = $"/_sim/{provider}/control";
    }

    /// <summary>Every notification the provider sent (or lost) whose body mentions <paramref name="text"/>, oldest first.</summary>
    public async Task<List<(string Id, string Body, bool Dropped)>> SentAsync(string text)
    {
        var (status, list) = await _client.GetJsonAsync(_prefix + "/notifications");
        Assert.Equal(200, status);
        return [.. list.GetProperty("data").EnumerateArray()
            .Where(n => n.Str("body").Contains(text, StringComparison.Ordinal))
            .Select(n => (n.Str("id"), n.Str("body"), n.GetProperty("dropped").GetBoolean()))];
    }

    /// <summary>The provider retries one notification; answers the receiver's status.</summary>
    public async Task<int> RedeliverAsync(string id)
    {
        var (status, answer, _) = await _client.PostJsonAsync($"{_prefix}/notifications/{id}/redeliver", null);
        Assert.Equal(200, status);
        return answer.GetProperty("receiver_status").ValueKind == JsonValueKind.Number ? answer.GetProperty("receiver_status").GetInt32() : 0;
    }

    /// <summary>The provider retries every notification it sent about <paramref name="text"/>, in order; each must be taken.</summary>
    public async Task<int> RedeliverAllAsync(string text)
    {
        var sent = await SentAsync(text);
        foreach (var (id, _, _) in sent)
        {
            Assert.Equal(200, await RedeliverAsync(id));
        }

        return sent.Count;
    }

    /// <summary>Someone refunds from the provider's own dashboard (the whole rest when no amount is given).</summary>
    public async Task<int> RefundAtProviderAsync(string path, long? amount)
    {
        var (status, _, _) = await _client.PostJsonAsync($"{_prefix}/{path}/refund", amount is { } a ? new { amount = a } : new { });
        return status;
    }

    /// <summary>Any other control call (<c>payouts/{id}/succeed</c>, …); answers its status.</summary>
    public async Task<int> PostAsync(string path) => (await _client.PostJsonAsync($"{_prefix}/{path}", null)).Status;

    /// <summary>Sets the provider's knobs (snake_case, as its control API takes them).</summary>
    public async Task KnobsAsync(object knobs) => Assert.Equal(204, (await _client.PostJsonAsync(_prefix + "/knobs", knobs)).Status);

    public async Task<JsonElement> BooksAsync()
    {
        var (status, books) = await _client.GetJsonAsync(_prefix + "/books");
        Assert.Equal(200, status);
        return books;
    }

    public void Dispose() => _client.Dispose();

    private static AuthenticationHeaderValue Basic(string user, string password = "") => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
}
