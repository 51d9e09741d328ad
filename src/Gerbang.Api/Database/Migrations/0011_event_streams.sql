-- Merchants with a live event stream open somewhere. Event writers NOTIFY only for these, so the
-- commit of an ordinary payment never waits on PostgreSQL's notification lock.
create table event_stream_listeners (
    instance_id  text not null,
    merchant_id  text not null,
    mode         text not null,
    expires_at   timestamptz not null,
    primary key (merchant_id, mode, instance_id)
);
