-- Money follows the provider's books. Each row is one provider transaction (Midtrans transaction_id,
-- Xendit payment request, Stripe PaymentIntent, DOKU and iPaymu transaction ids, the simulator's
-- payment) and what the ledger already holds for it: the money taken that was credited, and the
-- refunds on it that the ledger mirrors. A report is applied by difference against this row, under the
-- payment's lock, so no number, order or mix of reports credits the same money twice.
create table provider_transactions (
    provider        text not null,
    mode            text not null,
    transaction_id  text not null,
    payment_id      text not null references payments (id),
    attempt_id      text not null,
    currency        text not null,
    credited        bigint not null default 0 check (credited >= 0),
    refunded        bigint not null default 0 check (refunded >= 0),
    updated_at      timestamptz not null,
    primary key (provider, mode, transaction_id)
);
create index provider_transactions_payment on provider_transactions (payment_id);

-- Payments credited before this table existed: everything they hold was taken on their current attempt.
insert into provider_transactions (provider, mode, transaction_id, payment_id, attempt_id, currency, credited, refunded, updated_at)
select p.provider, p.mode, p.provider_reference, p.id, p.current_attempt_id, p.currency,
       p.amount_captured + p.amount_overpaid, 0, p.updated_at
from payments p
where p.status = 'paid' and p.provider_reference is not null and p.current_attempt_id is not null
on conflict do nothing;

-- A refund the provider made on its own (from its dashboard) is booked so the ledger keeps mirroring it.
alter table refunds add column initiated_by text not null default 'merchant' check (initiated_by in ('merchant', 'provider'));

-- When a payout request last left for the provider with its outcome not yet known. Once set, the payout's
-- outcome is learned from the provider's status endpoint (or an idempotent replay whose refusal proves
-- nothing), never from a decline of a repeated request.
alter table disbursements add column sent_at timestamptz;
update disbursements set sent_at = updated_at where status = 'processing';

-- Each claimed job holds its own lease, named by a token: renewals and the final write match it, so a
-- run whose lease was taken over can never overwrite the newer run's outcome.
alter table jobs add column lease_token text;

-- Likewise for refunds: once a refund request may have reached the provider, a refusal of its repeat
-- proves nothing and leaves the refund pending.
alter table refunds add column sent_at timestamptz;
