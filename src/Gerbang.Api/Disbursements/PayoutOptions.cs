namespace Gerbang.Api.Disbursements;

/// <summary><c>Gerbang:Payouts</c>: which payouts wait for review, and how those whose outcome is unknown are shown to operators.</summary>
public sealed class PayoutOptions
{
    public const string Section = "Gerbang:Payouts";

    /// <summary>
    /// A payout sent this long ago and still without a confirmed final state is in doubt: the admin API
    /// (<c>in_doubt</c>, <c>?in_doubt=true</c>) and the operators' overview show it for a person to check.
    /// </summary>
    public TimeSpan InDoubtAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A live payout to a bank account verified less than this long ago is held (<c>review:
    /// required</c>) until an admin other than those who verified the account releases it. Zero turns
    /// the hold off.
    /// </summary>
    public TimeSpan ReviewNewAccountsFor { get; set; } = TimeSpan.FromHours(24);
}
