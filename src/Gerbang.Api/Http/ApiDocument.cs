using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gerbang.Api.Http;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>: built from what each endpoint declares through
/// <see cref="ApiDocs"/>, with the security schemes, the problem responses every operation of a kind
/// can answer, the list parameters and <c>Idempotency-Key</c>. Features add their own parts (the
/// webhooks section) as parts given to <see cref="AddApiDocument"/>.
/// </summary>
public static class ApiDocument
{
    public const string MerchantBearer = "merchantKey";
    public const string MerchantHeader = "merchantApiKey";
    public const string AdminBearer = "adminToken";
    private const string ProblemSchema = "Problem";

    /// <summary>The tags, in the order the document lists them, with what each covers.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Tags =
    [
        ("payments", "Payments: create one for an order, follow it to paid, failed or expired, capture or cancel a card authorisation."),
        ("refunds", "Refunds of paid payments, in full or in part."),
        ("checkout sessions", "Hosted checkout: a page where the customer picks how to pay."),
        ("balance", "The merchant's balance and every ledger movement behind it."),
        ("disbursements", "Payouts of the available balance to the merchant's bank accounts."),
        ("bank accounts", "Where payouts go."),
        ("webhook endpoints", "Where Gerbang sends signed events."),
        ("events", "The event log, each event's deliveries, and resending."),
        ("merchant", "The merchant itself and its API keys."),
        ("test helpers", "Test mode only: make the provider's simulator pay, fail or expire a payment or a payout."),
        ("admin auth", "Admin sign-in, tokens and passwords."),
        ("admin merchants", "Operators: merchants, their users, limits and bank-account verification."),
        ("admin operations", "Operators: payments, events, refunds, payouts, jobs and statistics across merchants."),
        ("admin ledger", "Operators: ledger accounts, entries and provider balances."),
        ("admin fees", "Operators: fee schedules, margins and bank holidays."),
        ("admin providers", "Operators: provider routing and health."),
        ("admin users", "Operators: admin accounts and the audit log."),
        ("admin changes", "Operators: changes that wait for a second admin, and payout reviews."),
        ("reconciliation", "Operators: comparing Gerbang's books with each provider's."),
        ("provider notifications", "Where providers send their signed notifications (configured at each provider)."),
    ];

    /// <summary>The document, with each feature's own parts (such as the webhooks it sends) added last.</summary>
    public static IServiceCollection AddApiDocument(this IServiceCollection services, params Func<Microsoft.OpenApi.OpenApiDocument, OpenApiDocumentTransformerContext, CancellationToken, Task>[] parts)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.DefaultIgnoreCondition = ApiJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict; // numbers in strings are refused
        });
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer(DescribeDocumentAsync);
            foreach (var part in parts)
            {
                o.AddDocumentTransformer(part);
            }

            o.AddOperationTransformer(DescribeOperationAsync);
            o.AddSchemaTransformer(DescribeSchemaAsync);
            o.CreateSchemaReferenceId = type => type.Type is { IsNested: true, Name: "View" } nested
                ? nested.DeclaringType!.Name + "View"
                : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        });
        return services;
    }

    private static Task DescribeDocumentAsync(Microsoft.OpenApi.OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Gerbang API",
            Version = "1.0.0",
            Summary = "One integration for Midtrans, Xendit, DOKU, iPaymu and Stripe.",
            Description = "Merchants create payments, refunds and payouts; Gerbang routes each to a provider, keeps the balance in a " +
                "double-entry ledger and sends signed webhooks. Amounts are integers in the currency's smallest unit. " +
                "Errors are `application/problem+json` with a stable `code`. Every POST takes an `Idempotency-Key`.",
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };
        var http = context.ApplicationServices.GetService<IHttpContextAccessor>()?.HttpContext;
        var server = http is null ? "http://localhost:8080" : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}".TrimEnd('/');
        document.Servers = [new OpenApiServer { Url = server, Description = "This Gerbang" }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [MerchantBearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The merchant's secret key (`sk_test_…` or `sk_live_…`) as `Authorization: Bearer`. The key's mode decides test or live.",
            },
            [MerchantHeader] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-API-Key",
                Description = "The same secret key in the `X-API-Key` header.",
            },
            [AdminBearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An admin access token from `POST /admin/v1/login`.",
            },
        };
        document.AddComponent(ProblemSchema, Problem());
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details with a stable `code`.",
        Required = new HashSet<string> { "type", "title", "status", "detail", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "`https://gerbang.dev/errors/{code}`." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for a person." },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for a program: one of the codes the response lists." },
            ["param"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The field or parameter at fault, when there is one." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "Every field at fault, when more than one is.",
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "param", "code", "detail" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["param"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
            },
            ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The request's id, also in the `Request-Id` header." },
        },
    };

    /// <summary>The codes any operation of a kind can answer, by status.</summary>
    private static Dictionary<int, SortedSet<string>> CommonErrors(ApiCaller caller, string method, bool lists, bool takesBody)
    {
        var errors = new Dictionary<int, SortedSet<string>>();
        void Add(int status, params string[] codes) => AddCodes(errors, status, codes);

        switch (caller)
        {
            case ApiCaller.Merchant:
                Add(401, "unauthorized");
                Add(403, "merchant_suspended", "merchant_not_approved");
                Add(429, "rate_limited");
                if (method is "POST")
                {
                    Add(400, "invalid_idempotency_key");
                    Add(409, "idempotency_key_in_use");
                    Add(422, "idempotency_key_reused");
                }

                break;
            case ApiCaller.Admin:
                Add(401, "unauthorized");
                Add(403, "forbidden");
                break;
        }

        if (takesBody || method is "POST" or "PATCH" or "PUT")
        {
            Add(400, "invalid_json", "parameter_invalid_string", "parameter_unknown");
            Add(413, "body_too_large");
            Add(415, "unsupported_media_type");
        }

        if (takesBody)
        {
            Add(400, "parameter_missing", "parameter_invalid_type", "parameter_invalid");
        }

        if (lists)
        {
            Add(400, "parameter_out_of_range", "parameter_unknown", "parameter_invalid_time", "parameter_conflict", "parameter_invalid", "resource_missing");
        }

        return errors;
    }

    /// <summary>A property's <see cref="ApiValuesAttribute"/> becomes its enum.</summary>
    private static Task DescribeSchemaAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ApiValuesAttribute), false) is [ApiValuesAttribute values, ..])
        {
            schema.Enum = values.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
        }

        // An answer (a positional record) always carries every field, null or not, unless the field
        // is left out when null: so a client can rely on each being there.
        if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
        {
            var always = context.JsonTypeInfo.Properties.Where(p => p.AssociatedParameter is not null && p.ShouldSerialize is null).Select(p => p.Name).ToList();
            if (always.Count > 0)
            {
                schema.Required = new HashSet<string>(always, StringComparer.Ordinal);
            }
        }

        return Task.CompletedTask;
    }

    private static void AddCodes(Dictionary<int, SortedSet<string>> errors, int status, IEnumerable<string> codes)
    {
        if (!errors.TryGetValue(status, out var set))
        {
            errors[status] = set = new SortedSet<string>(StringComparer.Ordinal);
        }

        set.UnionWith(codes);
    }

    private static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var method = context.Description.HttpMethod ?? "GET";
        var caller = metadata.OfType<ApiCallerMetadata>().LastOrDefault()?.Caller ?? ApiCaller.Anonymous;
        var list = metadata.OfType<ApiListMetadata>().LastOrDefault();
        var example = metadata.OfType<ApiRequestExample>().LastOrDefault();
        var document = context.Document!;

        operation.Security = caller switch
        {
            ApiCaller.Merchant =>
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(MerchantBearer, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(MerchantHeader, document)] = [] },
            ],
            ApiCaller.Admin => [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminBearer, document)] = [] }],
            _ => [new OpenApiSecurityRequirement()],
        };

        operation.Parameters ??= [];
        if (caller == ApiCaller.Merchant && method == "POST")
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Idempotency.Header,
                In = ParameterLocation.Header,
                Description = "Makes a retry safe: the same key with the same request answers the first response again (for 24 hours); with another request it is refused.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
                Example = JsonValue.Create("order-1001"),
            });
        }

        if (list is not null)
        {
            AddListParameters(operation, list);
        }

        foreach (var query in metadata.OfType<ApiQueryMetadata>())
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Description = query.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = query.Values?.Select(v => (JsonNode)JsonValue.Create(v)!).ToList() },
            });
        }

        if (example is not null && operation.RequestBody?.Content is { } content)
        {
            foreach (var media in content.Values)
            {
                media.Example = example.Example.DeepClone();
            }
        }

        // Path parameters are object ids: say so, rather than "a string".
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path && p.Description is null))
        {
            parameter.Description = parameter.Name switch
            {
                "id" => "The object's id.",
                "provider" => "The provider: midtrans, xendit, doku, ipaymu or stripe.",
                "method" => "The payment method.",
                "date" => "A date, yyyy-mm-dd.",
                _ => $"The {parameter.Name?.Replace('_', ' ')}'s id.",
            };
        }

        var errors = CommonErrors(caller, method, list is not null, operation.RequestBody is not null);
        foreach (var declared in metadata.OfType<ApiErrorMetadata>())
        {
            AddCodes(errors, declared.Status, declared.Codes);
        }

        operation.Responses ??= [];
        foreach (var (status, codes) in errors.OrderBy(e => e.Key))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"Problem: {string.Join(", ", codes.Select(c => $"`{c}`"))}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(ProblemSchema, document),
                        Example = new JsonObject
                        {
                            ["type"] = "https://gerbang.dev/errors/" + codes.Min,
                            ["title"] = "Error",
                            ["status"] = status,
                            ["detail"] = "What went wrong.",
                            ["code"] = codes.Min,
                            ["request_id"] = "req_01JABCDEFGHJKMNPQRSTVWXYZ0",
                        },
                    },
                },
            };
        }

        return Task.CompletedTask;
    }

    private static void AddListParameters(OpenApiOperation operation, ApiListMetadata list)
    {
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = "limit",
            In = ParameterLocation.Query,
            Description = "How many objects to answer, 1 to 100.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "100", Default = JsonValue.Create(10) },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "starting_after",
            In = ParameterLocation.Query,
            Description = "The page after this object's id (the last id of the page before).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "ending_before",
            In = ParameterLocation.Query,
            Description = "The page before this object's id (the first id of the page after).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        foreach (var bound in new[] { "gte", "lte" })
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = $"created[{bound}]",
                In = ParameterLocation.Query,
                Description = $"Created {(bound == "gte" ? "at or after" : "at or before")} this time: unix seconds or RFC 3339.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        foreach (var filter in list.Filters)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = filter.Name,
                In = ParameterLocation.Query,
                Description = filter.Description,
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = filter.Values?.Select(v => (JsonNode)JsonValue.Create(v)!).ToList(),
                },
            });
        }
    }
}
