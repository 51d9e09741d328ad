using Gerbang.Domain.Payments;

namespace Gerbang.Domain.Tests;

public sealed class PaymentStateMachineTests
{
    [Theory]
    [InlineData(PaymentStatus.Pending, PaymentStatus.Paid, TransitionKind.Apply)]
    [InlineData(PaymentStatus.Cancelling, PaymentStatus.Paid, TransitionKind.Apply)]
    [InlineData(PaymentStatus.Paid, PaymentStatus.Paid, TransitionKind.Overpayment)]
    [InlineData(PaymentStatus.Expired, PaymentStatus.Paid, TransitionKind.PaidLate)]
    [InlineData(PaymentStatus.Cancelled, PaymentStatus.Paid, TransitionKind.PaidLate)]
    [InlineData(PaymentStatus.Failed, PaymentStatus.Paid, TransitionKind.PaidLate)]
    [InlineData(PaymentStatus.Paid, PaymentStatus.Expired, TransitionKind.Ignore)]
    [InlineData(PaymentStatus.Paid, PaymentStatus.Failed, TransitionKind.Ignore)]
    [InlineData(PaymentStatus.Expired, PaymentStatus.Failed, TransitionKind.Ignore)]
    [InlineData(PaymentStatus.Pending, PaymentStatus.Expired, TransitionKind.Apply)]
    [InlineData(PaymentStatus.Pending, PaymentStatus.Pending, TransitionKind.Ignore)]
    public void Reports_only_move_a_payment_forward_and_money_is_never_dropped(PaymentStatus current, PaymentStatus reported, TransitionKind expected) =>
        Assert.Equal(expected, PaymentStateMachine.OnProviderReport(current, reported));

    [Fact]
    public void A_card_reported_paid_again_is_the_same_charge_not_an_overpayment()
    {
        Assert.Equal(TransitionKind.Ignore, PaymentStateMachine.OnProviderReport(PaymentStatus.Paid, PaymentStatus.Paid, chargedOnce: true));
        Assert.Equal(TransitionKind.Apply, PaymentStateMachine.OnProviderReport(PaymentStatus.RequiresCapture, PaymentStatus.Paid, chargedOnce: true));
        Assert.Equal(TransitionKind.PaidLate, PaymentStateMachine.OnProviderReport(PaymentStatus.Expired, PaymentStatus.Paid, chargedOnce: true));
    }

    [Fact]
    public void Every_status_has_a_wire_name_that_parses_back()
    {
        foreach (var status in Enum.GetValues<PaymentStatus>())
        {
            Assert.Equal(status, PaymentStatusWire.Parse(status.ToWire()));
        }
    }
}
