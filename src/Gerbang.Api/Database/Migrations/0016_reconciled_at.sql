-- When reconciliation last asked a provider about a payment: each pass starts with those asked longest
-- ago, so payments a provider keeps open cannot crowd the others out of a bounded pass.
alter table payments add column reconciled_at timestamptz;
