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

    public static ListQuery? Parse(HttpRequest request, IReadOnlyList<ListFilter> filters, out ApiResponse? problem) =>
        Parse(request, filters.Select(f => f.Name).ToArray(), filters.Where(f => f.Values is not null).ToDictionary(f => f.Name, f => f.Values!), out problem);

    /// <summary>
    /// Parses the list parameters; a filter named in <paramref name="values"/> must have one of its
    /// values (a status or type that cannot exist is a mistake, not an empty list).
    /// </summary>
    private static ListQuery? Parse(HttpRequest request, IReadOnlyCollection<string> filters, Dictionary<string, IReadOnlyList<string>> values, out ApiResponse? problem)
    {
        var errors = new List<FieldError>();
        var query = request.Query;
        var limit = 10;
        if (query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            errors.Add(new FieldError("limit", "parameter_out_of_range", "limit must be an integer from 1 to 100."));
        }

        var result = new ListQuery
        {
            Limit = limit,
            StartingAfter = query.TryGetValue("starting_after", out var sa) ? sa.ToString() : null,
            EndingBefore = query.TryGetValue("ending_before", out var eb) ? eb.ToString() : null,
            CreatedGte = Time(query, "created[gte]", errors),
            CreatedLte = Time(query, "created[lte]", errors),
        };
        if (result.StartingAfter is not null && result.EndingBefore is not null)
        {
            errors.Add(new FieldError("ending_before", "parameter_conflict", "Use starting_after or ending_before, not both."));
        }

        foreach (var (key, value) in query)
        {
            if (filters.Contains(key))
            {
                result.Filters[key] = value.ToString();
                if (values.TryGetValue(key, out var allowed) && !allowed.Contains(value.ToString()))
                {
                    errors.Add(new FieldError(key, "parameter_invalid", $"{key} must be one of {string.Join(", ", allowed)}."));
                }
            }
            else if (key is not ("limit" or "starting_after" or "ending_before" or "created[gte]" or "created[lte]"))
            {
                errors.Add(new FieldError(key, "parameter_unknown", $"{key} is not a filter of this list."));
            }
        }

        problem = errors.Count > 0 ? Problems.Validation(errors) : null;
        return problem is null ? result : null;
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (!query.TryGetValue(name, out var v))
        {
            return null;
        }

        var text = v.ToString();
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
    public async Task<ApiResponse?> MissingCursorAsync(NpgsqlDataSource db, string table, string merchantId, string mode, int pageCount, CancellationToken cancellationToken)
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
            ? Problems.Create(400, "resource_missing", $"{param} names no object of this list: '{cursor}'.", param)
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

    public static ApiResponse Answer<T>(IReadOnlyList<T> data, bool hasMore, string url) =>
        ApiResponse.Ok(new ListView<T>("list", url, data, hasMore));

    public sealed record ListView<T>(string Object, string Url, IReadOnlyList<T> Data, bool HasMore);

    /// <summary>
    /// A merchant-scoped list end to end: <paramref name="select"/> must filter on <c>merchant_id = $1
    /// and mode = $2</c>; <paramref name="filters"/> are the equality filters it allows.
    /// </summary>
    public static async Task<ApiResponse> AnswerForMerchantAsync<TRow, TView>(
        HttpContext http,
        NpgsqlDataSource db,
        string select,
        string table,
        IReadOnlyList<ListFilter> filters,
        Func<NpgsqlDataReader, TRow> read,
        Func<TRow, TView> view,
        string url)
    {
        var merchant = MerchantContext.Of(http);
        var query = Parse(http.Request, filters, out var problem);
        if (query is null)
        {
            return problem!;
        }

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
        await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
        {
            while (await reader.ReadAsync(http.RequestAborted))
            {
                rows.Add(read(reader));
            }
        }

        var (page, hasMore) = query.Page(rows);
        if (await query.MissingCursorAsync(db, table, merchant.MerchantId, merchant.ModeWire, page.Count, http.RequestAborted) is { } missing)
        {
            return missing;
        }

        return Answer(page.Select(view).ToList(), hasMore, url);
    }
}
