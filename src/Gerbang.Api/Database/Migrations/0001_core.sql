-- Gerbang core schema: merchants, keys, admins, payments, idempotency, events and webhooks.

create table merchants (
    id              text primary key,
    name            text not null check (length(name) between 1 and 200),
    status          text not null check (status in ('pending', 'active', 'suspended')),
    support_email   text,
    statement_name  text,
    approved_at     timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);

create table api_keys (
    id           text primary key,
    merchant_id  text not null references merchants (id),
    mode         text not null check (mode in ('test', 'live')),
    key_hash     bytea not null unique check (length(key_hash) = 32),
    key_hint     text not null,
    created_at   timestamptz not null,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
create index api_keys_merchant on api_keys (merchant_id, mode);

create table admins (
    id              text primary key,
    email           text not null,
    password_hash   text not null,
    role            text not null check (role in ('super_admin', 'ops', 'finance')),
    failed_logins   integer not null default 0,
    locked_until    timestamptz,
    disabled_at     timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);
create unique index admins_email on admins (lower(email));

create table refresh_tokens (
    id           text primary key,
    admin_id     text not null references admins (id),
    family_id    text not null,
    token_hash   bytea not null unique,
    expires_at   timestamptz not null,
    used_at      timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz not null
);
create index refresh_tokens_family on refresh_tokens (family_id);

create table payments (
    seq                  bigint generated always as identity,
    id                   text primary key,
    merchant_id          text not null references merchants (id),
    mode                 text not null check (mode in ('test', 'live')),
    status               text not null check (status in ('pending', 'requires_capture', 'cancelling', 'paid', 'failed', 'expired', 'cancelled')),
    amount               bigint not null check (amount > 0),
    currency             text not null check (currency ~ '^[A-Z]{3}$'),
    method               text not null,
    bank                 text,
    order_id             text not null check (length(order_id) between 1 and 64),
    description          text,
    customer             jsonb,
    metadata             jsonb not null default '{}',
    store_id             text generated always as (metadata ->> 'store_id') stored,
    provider             text not null,
    provider_reference   text,
    current_attempt_id   text,
    instructions         jsonb,
    amount_captured      bigint not null default 0 check (amount_captured >= 0),
    amount_refunded      bigint not null default 0 check (amount_refunded >= 0),
    amount_overpaid      bigint not null default 0 check (amount_overpaid >= 0),
    fee                  bigint check (fee >= 0 and fee <= amount_captured + amount_overpaid),
    paid_late            boolean not null default false,
    failure              jsonb,
    expires_at           timestamptz not null,
    paid_at              timestamptz,
    created_at           timestamptz not null,
    updated_at           timestamptz not null,
    check (status <> 'paid' or (paid_at is not null and fee is not null))
);
-- The contract: a second payment with the same order_id while one is open is refused.
create unique index payments_open_order_id on payments (merchant_id, mode, order_id)
    where status in ('pending', 'requires_capture', 'cancelling');
create index payments_merchant_list on payments (merchant_id, mode, seq desc);
create index payments_due on payments (expires_at) where status = 'pending';

create table payment_attempts (
    id                  text primary key,
    payment_id          text not null references payments (id),
    merchant_id         text not null references merchants (id),
    mode                text not null,
    provider            text not null,
    provider_reference  text,
    status              text not null check (status in ('issued', 'failed', 'unknown', 'superseded')),
    failure_code        text,
    created_at          timestamptz not null,
    unique (provider, provider_reference)
);
create index payment_attempts_payment on payment_attempts (payment_id);

create table idempotency_keys (
    merchant_id       text not null references merchants (id),
    mode              text not null,
    key               text not null,
    request_hash      bytea not null,
    method            text not null,
    path              text not null,
    state             text not null check (state in ('started', 'completed')),
    response_status   integer,
    response_body     bytea,
    created_at        timestamptz not null,
    locked_at         timestamptz not null,
    completed_at      timestamptz,
    primary key (merchant_id, mode, key),
    check (state <> 'completed' or (response_status is not null and response_body is not null))
);
create index idempotency_keys_age on idempotency_keys (created_at);

create table events (
    seq          bigint generated always as identity,
    id           text primary key,
    merchant_id  text not null references merchants (id),
    mode         text not null,
    type         text not null,
    object_id    text,
    store_id     text,
    body         bytea not null,
    created_at   timestamptz not null
);
create index events_merchant_list on events (merchant_id, mode, seq desc);

create table webhook_endpoints (
    seq               bigint generated always as identity,
    id                text primary key,
    merchant_id       text not null references merchants (id),
    mode              text not null,
    url               text not null,
    description       text,
    enabled_events    text[] not null check (cardinality(enabled_events) > 0),
    status            text not null check (status in ('enabled', 'disabled')),
    secret_sealed     bytea not null,
    previous_secret_sealed bytea,
    previous_secret_expires_at timestamptz,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    deleted_at        timestamptz
);
create index webhook_endpoints_merchant on webhook_endpoints (merchant_id, mode) where deleted_at is null;

create table webhook_deliveries (
    id                text primary key,
    event_id          text not null references events (id),
    endpoint_id       text not null references webhook_endpoints (id),
    merchant_id       text not null,
    status            text not null check (status in ('pending', 'succeeded', 'failed')),
    attempts          integer not null default 0,
    next_attempt_at   timestamptz,
    leased_until      timestamptz,
    last_http_status  integer,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_event on webhook_deliveries (event_id);

create table webhook_attempts (
    id            bigint generated always as identity primary key,
    delivery_id   text not null references webhook_deliveries (id),
    event_id      text not null,
    endpoint_id   text not null,
    attempted_at  timestamptz not null,
    http_status   integer,
    latency_ms    integer not null,
    error         text,
    succeeded     boolean not null
);
create index webhook_attempts_event on webhook_attempts (event_id, id);

create table provider_notifications (
    id             text primary key,
    provider       text not null,
    mode           text not null,
    event_key      text not null,
    received_at    timestamptz not null,
    body           bytea not null,
    status         text not null check (status in ('received', 'applied', 'ignored', 'flagged', 'unknown_reference')),
    flag_reason    text,
    payment_id     text,
    processed_at   timestamptz,
    unique (provider, mode, event_key)
);
create index provider_notifications_review on provider_notifications (received_at) where status in ('flagged', 'unknown_reference');
