-- Routing controls set by operators: per provider globally (merchant_id '') or for one merchant.
-- A provider without a row routes with its defaults (enabled, weight 100, its default priority).
create table provider_routing (
    provider     text not null,
    merchant_id  text not null default '',
    enabled      boolean not null default true,
    weight       integer not null default 100 check (weight between 0 and 1000),
    priority     integer check (priority between 0 and 100),
    updated_at   timestamptz not null,
    primary key (provider, merchant_id)
);

-- Superseded instruments are withdrawn at their provider by a job; the attempt keeps its own status.
alter table payment_attempts add column failure_message text;
alter table payment_attempts add column latency_ms integer;
