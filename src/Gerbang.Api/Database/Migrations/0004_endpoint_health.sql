-- An endpoint that keeps failing is disabled after a while; these remember since when it fails and why it was disabled.
alter table webhook_endpoints add column failing_since timestamptz;
alter table webhook_endpoints add column disabled_reason text;
