-- Fee rules: defaults per method, contracted fees per merchant, the platform margin and holiday surcharges.

create table fee_rules (
    merchant_id   text not null default '',
    method        text not null check (method in ('va', 'qris', 'card', 'disbursement')),
    flat          bigint not null check (flat >= 0),
    basis_points  integer not null check (basis_points between 0 and 10000),
    updated_at    timestamptz not null,
    primary key (merchant_id, method)
);

create table platform_margin (
    id            boolean primary key default true check (id),
    enabled       boolean not null,
    flat          bigint not null check (flat >= 0),
    basis_points  integer not null check (basis_points between 0 and 10000),
    updated_at    timestamptz not null
);

create table fee_holidays (
    day           date primary key,
    name          text not null,
    flat          bigint not null check (flat >= 0),
    basis_points  integer not null check (basis_points between 0 and 10000)
);
