-- Hosted checkout sessions: what the merchant's server asked for, and the payment the customer made.
create table checkout_sessions (
    id           text primary key,
    merchant_id  text not null,
    mode         text not null check (mode in ('test', 'live')),
    amount       bigint not null check (amount > 0),
    currency     text not null,
    order_id     text not null,
    description  text,
    methods      text[] not null,
    success_url  text not null,
    cancel_url   text not null,
    payment_id   text,
    expires_at   timestamptz not null,
    created_at   timestamptz not null
);
create index checkout_sessions_merchant on checkout_sessions (merchant_id, mode, created_at desc);
