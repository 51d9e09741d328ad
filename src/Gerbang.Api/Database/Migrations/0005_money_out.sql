-- Background jobs, refunds, bank accounts and disbursements.

create table jobs (
    id             text primary key,
    kind           text not null,
    payload        jsonb not null,
    status         text not null check (status in ('pending', 'succeeded', 'dead')),
    attempts       integer not null default 0,
    max_attempts   integer not null check (max_attempts > 0),
    run_at         timestamptz not null,
    locked_until   timestamptz,
    last_error     text,
    created_at     timestamptz not null,
    updated_at     timestamptz not null
);
create index jobs_due on jobs (run_at) where status = 'pending';

create table refunds (
    seq                 bigint generated always as identity,
    id                  text primary key,
    payment_id          text not null references payments (id),
    merchant_id         text not null references merchants (id),
    mode                text not null,
    amount              bigint not null check (amount > 0),
    currency            text not null,
    reason              text,
    status              text not null check (status in ('pending', 'succeeded', 'failed')),
    provider            text not null,
    provider_reference  text,
    failure             jsonb,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create index refunds_merchant_list on refunds (merchant_id, mode, seq desc);
create index refunds_payment on refunds (payment_id);

create table bank_accounts (
    seq                    bigint generated always as identity,
    id                     text primary key,
    merchant_id            text not null references merchants (id),
    mode                   text not null,
    bank_code              text not null,
    account_number_sealed  bytea not null,
    account_last4          text not null,
    account_holder_name    text not null,
    status                 text not null check (status in ('unverified', 'verified')),
    is_primary             boolean not null default false,
    created_at             timestamptz not null,
    updated_at             timestamptz not null,
    deleted_at             timestamptz
);
create index bank_accounts_merchant on bank_accounts (merchant_id, mode) where deleted_at is null;
create unique index bank_accounts_one_primary on bank_accounts (merchant_id, mode) where is_primary and deleted_at is null;

create table disbursements (
    seq                 bigint generated always as identity,
    id                  text primary key,
    merchant_id         text not null references merchants (id),
    mode                text not null,
    amount              bigint not null check (amount > 0),
    fee                 bigint not null check (fee >= 0),
    currency            text not null,
    bank_account_id     text not null references bank_accounts (id),
    description         text,
    status              text not null check (status in ('pending', 'processing', 'succeeded', 'failed')),
    provider            text not null,
    provider_reference  text,
    failure             jsonb,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create index disbursements_merchant_list on disbursements (merchant_id, mode, seq desc);
create index disbursements_day on disbursements (merchant_id, mode, created_at);

alter table merchants add column daily_cashout_limit bigint check (daily_cashout_limit >= 0);
