using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gerbang.Api.Http;

/// <summary>Who may call an operation, as the OpenAPI document states it.</summary>
public enum ApiCaller
{
    /// <summary>Anyone: sign-in, the provider notifications (they carry the provider's own signature).</summary>
    Anonymous,

    /// <summary>A merchant's secret key, as a bearer token or in <c>X-API-Key</c>.</summary>
    Merchant,

    /// <summary>An admin's access token from <c>/admin/v1/login</c>.</summary>
    Admin,
}

/// <summary>The problem codes an operation can answer with one status.</summary>
public sealed record ApiErrorMetadata(int Status, IReadOnlyList<string> Codes);

/// <summary>An example of an operation's request body, shown in the document and accepted by the operation.</summary>
public sealed record ApiRequestExample(Type Type, JsonNode Example);

/// <summary>The list parameters of a list operation: its equality filters and, where fixed, their values.</summary>
public sealed record ApiListMetadata(Type Item, IReadOnlyList<ListFilter> Filters);

/// <summary>
/// One equality filter of a list: its query name, what it matches and, when it has a fixed set, the values
/// it takes. The list's parser and its description in the document both read it.
/// </summary>
public sealed record ListFilter(string Name, string Description, IReadOnlyList<string>? Values = null, string? Column = null)
{
    /// <summary>The column it compares (its name unless told).</summary>
    public string Sql => Column ?? Name;
}

/// <summary>A query parameter (a string, or one of <see cref="Values"/>).</summary>
public sealed record ApiQueryMetadata(string Name, string Description, IReadOnlyList<string>? Values);

/// <summary>The caller an operation expects.</summary>
public sealed record ApiCallerMetadata(ApiCaller Caller);

/// <summary>
/// How an endpoint says what it accepts and answers. Every operation names itself (operation id and
/// summary), its body type with an example, its response type per status, and the problem codes it can
/// answer; the document transformers in <see cref="OpenApiDocument"/> turn that into OpenAPI.
/// </summary>
public static class ApiDocs
{
    /// <summary>Examples leave out what they do not set.</summary>
    private static readonly JsonSerializerOptions ExampleJson = new(ApiJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The operation's id (camelCase, unique) and a one-line summary.</summary>
    public static RouteHandlerBuilder Doc(this RouteHandlerBuilder builder, string operationId, string summary, string? description = null)
    {
        builder.WithName(operationId).WithSummary(summary);
        return description is null ? builder : builder.WithDescription(description);
    }

    /// <summary>The JSON body the operation reads, with an example it accepts.</summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder, T example, bool optional = false)
        where T : notnull
    {
        builder.Accepts<T>(optional, "application/json");
        return builder.WithMetadata(new ApiRequestExample(typeof(T), JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(example, ExampleJson))!));
    }

    /// <summary>The JSON object answered with <paramref name="status"/>.</summary>
    public static RouteHandlerBuilder Returns<T>(this RouteHandlerBuilder builder, int status = 200) =>
        builder.Produces<T>(status, "application/json");

    /// <summary>A list of <typeparamref name="T"/> with the contract's paging parameters and these filters.</summary>
    public static RouteHandlerBuilder Lists<T>(this RouteHandlerBuilder builder, params ListFilter[] filters) =>
        builder.Produces<ListQuery.ListView<T>>(200, "application/json").WithMetadata(new ApiListMetadata(typeof(T), filters));

    /// <summary>The problem codes answered with <paramref name="status"/>, besides those every operation of its kind can answer.</summary>
    public static TBuilder Fails<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiErrorMetadata(status, codes));

    /// <summary>The caller the operations expect (set once on a route group).</summary>
    public static TBuilder CalledBy<TBuilder>(this TBuilder builder, ApiCaller caller)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiCallerMetadata(caller));

    /// <summary>A query parameter of an operation that is not one of the contract's lists.</summary>
    public static RouteHandlerBuilder Query(this RouteHandlerBuilder builder, string name, string description, params string[] values) =>
        builder.WithMetadata(new ApiQueryMetadata(name, description, values.Length == 0 ? null : values));

    /// <summary>The 404 of an operation on one object.</summary>
    public static RouteHandlerBuilder NotFound(this RouteHandlerBuilder builder) => builder.Fails(404, "resource_missing");
}

/// <summary>
/// The values a string field takes (an enum in the document; the parser checks them): listed, or read
/// from the static list the parser itself checks against, so the two cannot drift apart.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ApiValuesAttribute : Attribute
{
    public ApiValuesAttribute(params string[] values) => Values = values;

    public ApiValuesAttribute(Type source, string member) =>
        Values = [.. (IEnumerable<string>)(source.GetProperty(member)?.GetValue(null) ?? source.GetField(member)?.GetValue(null)
            ?? throw new InvalidOperationException($"{source.Name}.{member} is not a static list of values."))];

    public IReadOnlyList<string> Values { get; }
}

/// <summary>What a delete answers.</summary>
public sealed record DeletedView(string Id, string Object, bool Deleted);
