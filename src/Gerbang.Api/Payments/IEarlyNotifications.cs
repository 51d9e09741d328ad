using Gerbang.Domain;

namespace Gerbang.Api.Payments;

/// <summary>
/// Provider notifications that reached Gerbang before the payment they are about was known (the
/// provider answered the charge after notifying it). Kept by the notification intake; a new payment
/// asks for its own to be applied once its provider reference is stored.
/// </summary>
public interface IEarlyNotifications
{
    /// <summary>Whether a notification for this attempt or reference may be waiting (cheap, no database).</summary>
    bool MaybeEarly(string provider, string attemptId, string? providerReference);

    /// <summary>Applies the waiting notifications of this attempt; answers how many.</summary>
    Task<int> ReplayEarlyAsync(string provider, Mode mode, string attemptId, string? providerReference, CancellationToken cancellationToken);
}
