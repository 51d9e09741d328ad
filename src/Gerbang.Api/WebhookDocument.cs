using System.Text.Json.Nodes;
using Gerbang.Api.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gerbang.Api;

/// <summary>
/// The <c>webhooks</c> section of the OpenAPI document: one entry per event type, each the POST Gerbang
/// sends to a merchant's endpoint, with the Standard Webhooks headers and the object the event carries.
/// </summary>
public static class WebhookDocument
{
    /// <summary>The object each event type carries, by the type's prefix.</summary>
    private static Type ObjectOf(string type) => type.Split('.')[0] switch
    {
        "payment" => typeof(Payments.PaymentView),
        "refund" => typeof(Refunds.RefundView),
        "disbursement" => typeof(Disbursements.DisbursementView),
        "webhook_endpoint" => typeof(Webhooks.WebhookEndpointView),
        _ => throw new InvalidOperationException($"No object is known for event type {type}."),
    };

    public static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Webhooks = new Dictionary<string, IOpenApiPathItem>();
        document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var type in Webhooks.EventTypes.All)
        {
            var objectType = ObjectOf(type);
            var schemaId = objectType.Name;
            if (!document.Components.Schemas.ContainsKey(schemaId))
            {
                document.AddComponent(schemaId, await context.GetOrCreateSchemaAsync(objectType, null, cancellationToken));
            }

            var payload = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "id", "object", "type", "livemode", "created_at", "data" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The event's id, also in webhook-id; the same on every retry." },
                    ["object"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = "event" },
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = type },
                    ["livemode"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    ["created_at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                    ["data"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "object" },
                        Properties = new Dictionary<string, IOpenApiSchema> { ["object"] = new OpenApiSchemaReference(schemaId, document) },
                    },
                },
            };
            var operation = new OpenApiOperation
            {
                OperationId = "webhook" + string.Concat(type.Split('.', '_').Select(p => char.ToUpperInvariant(p[0]) + p[1..])),
                Summary = $"The {type} event",
                Description = "Sent to every enabled endpoint that takes this type, signed as Standard Webhooks: verify webhook-signature over " +
                    "`{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's secret. Any 2xx answer acknowledges it; anything else, or no answer " +
                    "within 10 seconds, is retried with backoff for about three days.",
                Tags = new HashSet<OpenApiTagReference> { new("webhook endpoints", document) },
                Security = [new OpenApiSecurityRequirement()],
                Parameters =
                [
                    Header("webhook-id", "The event's id: the same on every retry, so a receiver can drop repeats."),
                    Header("webhook-timestamp", "Unix seconds when this attempt was signed; refuse one far from now."),
                    Header("webhook-signature", "Space-separated `v1,{base64 HMAC-SHA256}`, one per active secret (two while a rotated secret overlaps)."),
                ],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = payload } },
                },
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "Acknowledged (any 2xx)." },
                    ["400"] = new OpenApiResponse { Description = "Refused (any other status): Gerbang retries with backoff and disables an endpoint that keeps failing." },
                },
            };
            document.Webhooks[type] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = operation } };
        }
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create(name switch
        {
            "webhook-id" => "evt_01JABCDEFGHJKMNPQRSTVWXYZ0",
            "webhook-timestamp" => "1796284800",
            _ => "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        }),
    };
}
