using System.Globalization;
using System.Text;
using Npgsql;

namespace Gerbang.Api.Http;

/// <summary>
/// The contract's list parameters: <c>limit</c> (1–100, default 10), <c>starting_after</c> or
/// <c>ending_before</c> (object ids), <c>created[gte]</c>/<c>created[lte]</c>, and per-resource
/// equality filters. Builds the SQL around an ordered <c>seq</c> column, newest first.
/// </summary>
public sealed class ListQuery
{
    private ListQuery()
    {
    }

    public int Limit { get; private init; } = 10;

    public string? StartingAfter { get; private init; }

    public string? EndingBefore { get; private init; }

    public DateTimeOffset? CreatedGte { get; private init; }

    public DateTimeOffset? CreatedLte { get; private init; }

    public Dictionary<string, string> Filters { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads the list parameters; a filter with values must have one of them (a status or type that
    /// cannot exist is a mistake, not an empty list), and a parameter that is no filter is refused.
    /// </summary>
    public static Result<ListQuery> Read(IReadOnlyDictionary<string, string> query, IReadOnlyList<ListFilter> filters)
    {
        var errors = new List<FieldError>();
        var limit = 10;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            errors.Add(new FieldError("limit", "parameter_out_of_range", "limit must be an integer from 1 to 100."));
        }

        var result = new ListQuery
        {
            Limit = limit,
            StartingAfter = query.GetValueOrDefault("starting_after"),
            EndingBefore = query.GetValueOrDefault("ending_before"),
            CreatedGte = Time(query, "created[gte]", errors),
            CreatedLte = Time(query, "created[lte]", errors),
        };
        if (result.StartingAfter is not null && result.EndingBefore is not null)
        {
            errors.Add(new FieldError("ending_before", "parameter_conflict", "Use starting_after or ending_before, not both."));
        }

        foreach (var (key, value) in query)
        {
            if (filters.FirstOrDefault(f => f.Name == key) is { } filter)
            {
                result.Filters[key] = value;
                if (filter.Values is { } allowed && !allowed.Contains(value))
                {
                    errors.Add(new FieldError(key, "parameter_invalid", $"{key} must be one of {string.Join(", ", allowed)}."));
                }
            }
            else if (key is not ("limit" or "starting_after" or "ending_before" or "created[gte]" or "created[lte]"))
            {
                errors.Add(new FieldError(key, "parameter_unknown", $"{key} is not a filter of this list."));
            }
        }

        return errors.Count > 0 ? Refusal.Invalid(errors) : result;
    }

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) && unix < 100_000_000_000)
        {
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        errors.Add(new FieldError(name, "parameter_invalid_time", $"{name} must be unix seconds or an RFC 3339 time."));
        return null;
    }

    /// <summary>
    /// Appends the paging conditions and ordering to <paramref name="sql"/>, whose WHERE clause already
    /// scopes rows to one merchant and mode (parameters $1, $2). Reads one row past the page to learn has_more.
    /// </summary>
    public void Apply(StringBuilder sql, NpgsqlCommand cmd, string table)
    {
        if (CreatedGte is { } gte)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and created_at >= ${Add(cmd, gte)}");
        }

        if (CreatedLte is { } lte)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and created_at <= ${Add(cmd, lte)}");
        }

        if (StartingAfter is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and seq < coalesce((select seq from {table} where id = ${Add(cmd, StartingAfter)} and merchant_id = $1 and mode = $2), -1)");
        }

        if (EndingBefore is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and seq > coalesce((select seq from {table} where id = ${Add(cmd, EndingBefore)} and merchant_id = $1 and mode = $2), 9223372036854775807)");
            sql.Append(CultureInfo.InvariantCulture, $" order by seq asc limit {Limit + 1}");
        }
        else
        {
            sql.Append(CultureInfo.InvariantCulture, $" order by seq desc limit {Limit + 1}");
        }
    }

    /// <summary>
    /// An unknown cursor reads as an empty page (its subquery finds no row); when a page comes back
    /// empty, this tells that apart from the end of the list: a cursor that is not one of the merchant's
    /// objects in <paramref name="table"/> is 400 <c>resource_missing</c>, as a client paging with a
    /// mistyped or foreign id must learn rather than stop early.
    /// </summary>
    public async Task<Refusal?> MissingCursorAsync(NpgsqlDataSource db, string table, string merchantId, string mode, int pageCount, CancellationToken cancellationToken)
    {
        var (param, cursor) = StartingAfter is not null ? ("starting_after", StartingAfter) : ("ending_before", EndingBefore);
        if (pageCount > 0 || cursor is null)
        {
            return null;
        }

        await using var cmd = db.CreateCommand($"select 1 from {table} where id = $1 and merchant_id = $2 and mode = $3");
        cmd.Parameters.Add(new NpgsqlParameter { Value = cursor });
        cmd.Parameters.Add(new NpgsqlParameter { Value = merchantId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = mode });
        return await cmd.ExecuteScalarAsync(cancellationToken) is null
            ? new Refusal(400, "resource_missing", $"{param} names no object of this list: '{cursor}'.", param)
            : null;
    }

    public static int Add(NpgsqlCommand cmd, object value)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return cmd.Parameters.Count;
    }

    /// <summary>Trims the extra row and restores newest-first order.</summary>
    public (List<T> Page, bool HasMore) Page<T>(List<T> rows)
    {
        var hasMore = rows.Count > Limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        if (EndingBefore is not null)
        {
            rows.Reverse();
        }

        return (rows, hasMore);
    }

    public static ListView<T> View<T>(IReadOnlyList<T> data, bool hasMore, string url) => new("list", url, data, hasMore);

    public sealed record ListView<T>(string Object, string Url, IReadOnlyList<T> Data, bool HasMore);

    /// <summary>
    /// A merchant-scoped list end to end: <paramref name="select"/> must filter on <c>merchant_id = $1
    /// and mode = $2</c>; <paramref name="filters"/> are the equality filters it allows.
    /// </summary>
    public static async Task<Result<ListView<TView>>> ForMerchantAsync<TRow, TView>(
        ListRequest request,
        MerchantContext merchant,
        NpgsqlDataSource db,
        string select,
        string table,
        IReadOnlyList<ListFilter> filters,
        Func<NpgsqlDataReader, TRow> read,
        Func<TRow, TView> view,
        string url,
        CancellationToken cancellationToken)
    {
        var parsed = request.Read(filters);
        if (!parsed.Ok)
        {
            return parsed.Refusal;
        }

        var query = parsed.Value;
        await using var cmd = db.CreateCommand();
        cmd.Parameters.Add(new NpgsqlParameter { Value = merchant.MerchantId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = merchant.ModeWire });
        var sql = new StringBuilder(select);
        foreach (var (name, value) in query.Filters)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and {filters.First(f => f.Name == name).Sql} = ${Add(cmd, value)}");
        }

        query.Apply(sql, cmd, table);
        cmd.CommandText = sql.ToString();
        var rows = new List<TRow>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
        }

        var (page, hasMore) = query.Page(rows);
        if (await query.MissingCursorAsync(db, table, merchant.MerchantId, merchant.ModeWire, page.Count, cancellationToken) is { } missing)
        {
            return missing;
        }

        return View(page.Select(view).ToList(), hasMore, url);
    }
}

/// <summary>
/// A list's parameters as the caller gave them, before they are checked against the list's filters:
/// from the query string of a request, or set by the dashboard with <see cref="Of"/>.
/// </summary>
public sealed class ListRequest
{
    private ListRequest(IReadOnlyDictionary<string, string> values) => Values = values;

    public IReadOnlyDictionary<string, string> Values { get; }

    public string? this[string name] => Values.GetValueOrDefault(name);

    public static ListRequest From(IQueryCollection query) => new(query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));

    /// <summary>Parameters by name; empty values are left out, as a careful client would.</summary>
    public static ListRequest Of(params (string Name, string? Value)[] values) =>
        new(values.Where(v => !string.IsNullOrEmpty(v.Value)).ToDictionary(v => v.Name, v => v.Value!, StringComparer.Ordinal));

    public static ValueTask<ListRequest?> BindAsync(HttpContext http, System.Reflection.ParameterInfo parameter) => ValueTask.FromResult<ListRequest?>(From(http.Request.Query));

    public Result<ListQuery> Read(IReadOnlyList<ListFilter> filters) => ListQuery.Read(Values, filters);
}
