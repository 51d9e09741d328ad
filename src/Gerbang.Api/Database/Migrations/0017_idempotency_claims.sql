-- An idempotency key is claimed in its own unlogged table: the claim is only a lock held while the work
-- runs, so it needs no WAL and nothing of it has to survive a crash (PostgreSQL empties an unlogged table
-- after one). idempotency_keys now holds only completed keys, inserted in the transaction that commits
-- what the request created.
create unlogged table idempotency_claims (
    merchant_id   text not null,
    mode          text not null,
    key           text not null,
    request_hash  bytea not null,
    path          text not null,
    locked_at     timestamptz not null,
    primary key (merchant_id, mode, key)
);

-- Claims of the previous scheme: requests that were in flight when the server was upgraded.
delete from idempotency_keys where state = 'started';
