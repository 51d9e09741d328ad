-- People of a merchant who sign in to the dashboard. Same password hashing and lockout as admins;
-- they only ever see their own merchant.
create table merchant_users (
    seq             bigint generated always as identity,
    id              text primary key,
    merchant_id     text not null references merchants (id),
    email           text not null,
    password_hash   text not null,
    failed_logins   integer not null default 0,
    locked_until    timestamptz,
    disabled_at     timestamptz,
    last_login_at   timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);
create unique index merchant_users_email on merchant_users (lower(email));
create index merchant_users_merchant on merchant_users (merchant_id);

-- A payment's page lists the events about it.
create index events_object on events (merchant_id, object_id) where object_id is not null;

-- An endpoint's page shows its delivery log.
create index webhook_attempts_endpoint on webhook_attempts (endpoint_id, id);

-- The keys that protect dashboard cookies and anti-forgery tokens, shared by every instance and
-- sealed with the master key.
create table data_protection_keys (
    name        text primary key,
    xml_sealed  bytea not null,
    created_at  timestamptz not null default now()
);
