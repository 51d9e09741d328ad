namespace Gerbang.Api.Admin;

/// <summary>
/// Who may do what, in one table (the contract's §8). Every admin route names one of these
/// permissions as its authorization policy; a route without one fails the role-matrix test.
/// </summary>
public static class AdminRoles
{
    public const string SuperAdmin = "super_admin";
    public const string Ops = "ops";
    public const string Finance = "finance";

    public static IReadOnlyList<string> All { get; } = [SuperAdmin, Ops, Finance];

    public const string ManageMerchants = "merchants:manage";
    public const string MerchantFinances = "merchants:finances";
    public const string ViewOperations = "operations:view";
    public const string ViewLedger = "ledger:view";
    public const string AdjustLedger = "ledger:adjust";
    public const string ManageFees = "fees:manage";
    public const string WriteMargin = "margin:write";
    public const string ReadMargin = "margin:read";
    public const string ManageProviders = "providers:manage";
    public const string ManageAdmins = "admins:manage";
    public const string RunReconciliation = "reconciliation:run";
    public const string Self = "self";

    /// <summary>Deciding a change request; the change's own permission is checked too (<see cref="FourEyes.PermissionFor"/>).</summary>
    public const string DecideChanges = "change_requests:decide";

    /// <summary>Releasing or rejecting a payout held for review.</summary>
    public const string ReviewPayouts = "payouts:review";

    public static IReadOnlyDictionary<string, string[]> Permissions { get; } = new Dictionary<string, string[]>
    {
        [ManageMerchants] = [SuperAdmin, Ops],
        [MerchantFinances] = [SuperAdmin, Finance],
        [ViewOperations] = [SuperAdmin, Ops, Finance],
        [ViewLedger] = [SuperAdmin, Finance],
        [AdjustLedger] = [SuperAdmin, Finance],
        [ManageFees] = [SuperAdmin, Finance],
        [WriteMargin] = [SuperAdmin],
        [ReadMargin] = [SuperAdmin, Finance],
        [ManageProviders] = [SuperAdmin, Ops],
        [ManageAdmins] = [SuperAdmin],
        [RunReconciliation] = [SuperAdmin, Ops, Finance],
        [Self] = [SuperAdmin, Ops, Finance],
        [DecideChanges] = [SuperAdmin, Ops, Finance],
        [ReviewPayouts] = [SuperAdmin, Ops, Finance],
    };
}
