using Npgsql;

namespace Gerbang.Api.Http;

/// <summary>
/// How an endpoint turns a handler's outcome into its HTTP answer, handed to the handler so that the
/// answer of a request with an <c>Idempotency-Key</c> is kept in the same transaction as what the
/// outcome created. The handler sees outcomes only; a caller without HTTP (the dashboard) passes
/// <see cref="None"/>, and nothing is kept.
/// </summary>
public sealed class Answers<TOutcome>
    where TOutcome : class
{
    private readonly HttpContext? _http;
    private readonly Func<TOutcome, ApiResponse> _map;
    private TOutcome? _recorded;
    private ApiResponse? _response;

    public Answers(HttpContext http, Func<TOutcome, ApiResponse> map)
    {
        _http = http;
        _map = map;
    }

    private Answers(Func<TOutcome, ApiResponse> map) => _map = map;

    /// <summary>For callers that are not an HTTP request: nothing is recorded.</summary>
    public static Answers<TOutcome> None { get; } = new(_ => throw new InvalidOperationException("No HTTP answer is made for this caller."));

    /// <summary>Adds the keeping of <paramref name="outcome"/>'s answer to the batch that commits it.</summary>
    public void RecordIn(NpgsqlBatch batch, TOutcome outcome)
    {
        if (_http is null)
        {
            return;
        }

        _recorded = outcome;
        _response = _map(outcome);
        Idempotency.RecordIn(_http, batch, _response);
    }

    /// <summary>The answer: the very bytes recorded when this outcome was recorded, so a replay is byte for byte.</summary>
    public ApiResponse Answer(TOutcome outcome) => ReferenceEquals(outcome, _recorded) ? _response! : _map(outcome);
}

/// <summary>
/// For a handler that answers with a <see cref="Result{T}"/>: keeps that answer for the request's
/// <c>Idempotency-Key</c> in the batch that commits what it answers. Bound as a handler's parameter;
/// a caller without HTTP (the dashboard) passes <see cref="None"/>, and nothing is kept.
/// </summary>
public sealed class AnswerKeeping
{
    private readonly HttpContext? _http;

    private AnswerKeeping(HttpContext? http) => _http = http;

    public static AnswerKeeping None { get; } = new(null);

    public static ValueTask<AnswerKeeping?> BindAsync(HttpContext http, System.Reflection.ParameterInfo parameter) => ValueTask.FromResult<AnswerKeeping?>(new(http));

    /// <summary>Adds the keeping of <paramref name="answer"/> to <paramref name="batch"/>; the same answer is then sent, byte for byte.</summary>
    public Result<T> Keep<T>(NpgsqlBatch batch, Result<T> answer)
    {
        if (_http is not null)
        {
            Idempotency.RecordIn(_http, batch, answer.Response);
        }

        return answer;
    }
}
