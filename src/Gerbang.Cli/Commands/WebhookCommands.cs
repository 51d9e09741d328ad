using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary>Webhook endpoints and the event log.</summary>
public static class WebhookCommands
{
    public static Command Webhooks(CliContext context)
    {
        var webhooks = new Command("webhooks", "Webhook endpoints: where Gerbang sends signed events");
        var url = Opt<string>("--url", "The endpoint's URL (https in live mode)", required: true);
        var events = ListOption("--events", "Event types to send, comma-separated or repeated (default: all, *)");
        var description = Opt<string?>("--description", "For the records");
        webhooks.Subcommands.Add(Call(context, "create", "Add an endpoint; its signing secret is shown once", Audience.Merchant, HttpMethod.Post, _ => "/v1/webhook_endpoints",
            r => Fields(("url", r.GetValue(url)), ("enabled_events", Items(r.GetValue(events)) is { Length: > 0 } types ? types : ["*"]), ("description", r.GetValue(description))), url, events, description));
        webhooks.Subcommands.Add(List(context, "list", "List endpoints", Audience.Merchant, "/v1/webhook_endpoints"));
        webhooks.Subcommands.Add(ById(context, "get", "Show one endpoint", "webhook endpoint", Audience.Merchant, HttpMethod.Get, id => $"/v1/webhook_endpoints/{id}"));
        webhooks.Subcommands.Add(ById(context, "delete", "Remove an endpoint", "webhook endpoint", Audience.Merchant, HttpMethod.Delete, id => $"/v1/webhook_endpoints/{id}"));
        webhooks.Subcommands.Add(ById(context, "rotate-secret", "A new signing secret; both are signed with during the overlap", "webhook endpoint", Audience.Merchant, HttpMethod.Post,
            id => $"/v1/webhook_endpoints/{id}/rotate_secret"));
        return webhooks;
    }

    public static Command Events(CliContext context)
    {
        var events = new Command("events", "The event log (follow it live with 'gerbang listen')");
        events.Subcommands.Add(List(context, "list", "List events, newest first", Audience.Merchant, "/v1/events",
            ("--type", "type", "Only events of this type"), ("--object", "object", "Only events about this payment, refund or payout")));
        events.Subcommands.Add(ById(context, "get", "Show one event", "event", Audience.Merchant, HttpMethod.Get, id => $"/v1/events/{id}"));
        events.Subcommands.Add(ById(context, "deliveries", "Every delivery attempt of an event", "event", Audience.Merchant, HttpMethod.Get, id => $"/v1/events/{id}/deliveries"));
        var endpoint = Opt<string?>("--endpoint", "Only to this webhook endpoint (default: every subscribed endpoint)");
        events.Subcommands.Add(ById(context, "resend", "Deliver an event again", "event", Audience.Merchant, HttpMethod.Post,
            id => $"/v1/events/{id}/resend", r => Fields(("webhook_endpoint", r.GetValue(endpoint))), endpoint));
        return events;
    }
}
