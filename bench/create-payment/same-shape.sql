-- The database work of one POST /v1/payments, as one durable transaction: idempotency row, payment row,
-- event row. run.sh puts the bench merchant's id in place of @MERCHANT@.
\set r random(1, 9000000000000000)
BEGIN;
INSERT INTO idempotency_keys (merchant_id, mode, key, request_hash, method, path, state, response_status, response_body, created_at, locked_at, completed_at)
  VALUES ('@MERCHANT@', 'test', 'pgb-' || :client_id || '-' || :r, '\x00', 'POST', '/v1/payments', 'completed', 201, '\x00', now(), now(), now());
INSERT INTO payments (id, merchant_id, mode, status, amount, currency, method, bank, order_id, metadata, provider, provider_reference, instructions, expires_at, created_at, updated_at)
  VALUES ('pay_pgb' || :client_id || '_' || :r, '@MERCHANT@', 'test', 'pending', 150000, 'IDR', 'va', 'bca', 'PGB-' || :client_id || '-' || :r, '{}', 'simulator', 'simpay_' || :r, '{"type":"va"}', now() + interval '1 day', now(), now());
INSERT INTO events (id, merchant_id, mode, type, object_id, body, created_at)
  VALUES ('evt_pgb' || :client_id || '_' || :r, '@MERCHANT@', 'test', 'payment.created', 'pay_pgb' || :r, '\x7b7d', now());
COMMIT;
