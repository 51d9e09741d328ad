-- When each key was last used (written at most once a minute per key), shown in the key list so a
-- merchant can tell a forgotten key from one in use before revoking it.
alter table api_keys add column last_used_at timestamptz;
