-- A notification can arrive before the payment it reports is written (the provider notified before it
-- answered the create call). It is stored as unknown_reference with what it said, and replayed once
-- the payment exists.
alter table provider_notifications
    add column our_reference text,
    add column provider_reference text,
    add column report jsonb;
create index provider_notifications_unmatched on provider_notifications (provider, mode, provider_reference) where status = 'unknown_reference';
create index provider_notifications_unmatched_ours on provider_notifications (provider, mode, our_reference) where status = 'unknown_reference';
create index disbursements_provider_reference on disbursements (provider, provider_reference) where provider_reference is not null;
