-- No single person directs a merchant's money. A change that does (verifying a bank account for live
-- payouts, raising a cash-out limit) is requested by one admin and applied only when another admin
-- whose role may make it approves; both are kept here and in the audit log.
create table change_requests (
    seq                 bigint generated always as identity,
    id                  text primary key,
    kind                text not null check (kind in ('bank_account.verify', 'merchant.cashout_limit')),
    merchant_id         text not null references merchants (id),
    target_id           text not null,
    change              jsonb not null,
    status              text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'cancelled')),
    requested_by        text not null,
    requested_by_email  text not null,
    request_reason      text not null,
    decided_by          text,
    decided_by_email    text,
    decision_reason     text,
    decided_at          timestamptz,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
-- One open request per change target: a second request while one waits is refused.
create unique index change_requests_one_pending on change_requests (kind, target_id) where status = 'pending';
create index change_requests_status on change_requests (status, seq);

-- When an account became a payout destination: payouts to one verified recently wait for review.
alter table bank_accounts add column verified_at timestamptz;
update bank_accounts set verified_at = updated_at where status = 'verified';

-- A payout held for review is not sent until an admin other than those who verified its account releases it.
alter table disbursements add column review text check (review in ('required', 'released', 'rejected'));
alter table disbursements add column reviewed_by text;
create index disbursements_in_review on disbursements (created_at) where review = 'required';

-- Merchant users are invited and set their own password: none until they accept.
alter table merchant_users alter column password_hash drop not null;
create table merchant_user_invitations (
    token_hash  bytea primary key,
    user_id     text not null references merchant_users (id),
    expires_at  timestamptz not null,
    used_at     timestamptz,
    created_at  timestamptz not null
);
create index merchant_user_invitations_user on merchant_user_invitations (user_id);
