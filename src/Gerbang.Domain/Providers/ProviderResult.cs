namespace Gerbang.Domain.Providers;

public enum ProviderFailureKind
{
    /// <summary>The provider answered and refused (a business decline); trying again will not help.</summary>
    Declined,

    /// <summary>No connection was made; the provider cannot have acted.</summary>
    ConnectionFailed,

    /// <summary>The provider answered 5xx or 429; it says it did not act.</summary>
    ServerError,

    /// <summary>The request left but no answer came back: the provider may have acted.</summary>
    Timeout,
}

public sealed record ProviderFailure(ProviderFailureKind Kind, string Code, string Message, TimeSpan? RetryAfter = null)
{
    /// <summary>True when the provider may have acted on the request although we saw no answer.</summary>
    public bool OutcomeUnknown => Kind == ProviderFailureKind.Timeout;

    /// <summary>True when another provider (or a later retry) may take the request.</summary>
    public bool IsRetryable => Kind != ProviderFailureKind.Declined;
}

/// <summary>Either the provider's answer or why there is none.</summary>
public readonly record struct ProviderResult<T>
    where T : class
{
    private ProviderResult(T? value, ProviderFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public ProviderFailure? Failure { get; }

    public bool IsSuccess => Failure is null;

    public static ProviderResult<T> Ok(T value) => new(value, null);

    public static ProviderResult<T> Fail(ProviderFailure failure) => new(null, failure);

    public static implicit operator ProviderResult<T>(ProviderFailure failure) => Fail(failure);
}
