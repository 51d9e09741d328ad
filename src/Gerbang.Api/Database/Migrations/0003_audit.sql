-- The audit log: every admin change and every authentication failure. Append-only: the database
-- refuses updates, deletes and truncation whoever asks.

create table audit_log (
    seq           bigint generated always as identity primary key,
    id            text not null unique,
    at            timestamptz not null,
    actor_id      text,
    actor_email   text,
    actor_role    text,
    source_ip     text,
    action        text not null,
    target_type   text,
    target_id     text,
    before        jsonb,
    after         jsonb,
    reason        text,
    outcome       text not null check (outcome in ('success', 'denied', 'failed'))
);
create index audit_log_target on audit_log (target_type, target_id, seq desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only' using errcode = '42501';
end $$;

create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();
revoke update, delete, truncate on audit_log from public;

alter table admins add column last_login_at timestamptz;

alter table merchants add column seq bigint generated always as identity;
create index merchants_list on merchants (seq desc);
alter table admins add column seq bigint generated always as identity;
