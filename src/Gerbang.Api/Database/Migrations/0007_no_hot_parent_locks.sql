-- Every insert into a table with a foreign key to merchants locks the merchant's row (KEY SHARE) until
-- commit; with many concurrent payments for one merchant those locks pile up on one row as MultiXacts
-- and serialise a busy merchant. The high-volume tables therefore do not declare that key: merchants
-- are never deleted, and every row of these tables is written with the merchant id of an authenticated
-- key or of the payment it belongs to.
alter table payments drop constraint payments_merchant_id_fkey;
alter table payment_attempts drop constraint payment_attempts_merchant_id_fkey;
alter table events drop constraint events_merchant_id_fkey;
alter table idempotency_keys drop constraint idempotency_keys_merchant_id_fkey;
alter table refunds drop constraint refunds_merchant_id_fkey;
alter table disbursements drop constraint disbursements_merchant_id_fkey;

-- Likewise for a busy account's row: postings and balance shards check their account in the posting
-- trigger (a plain read, no lock) instead of through a foreign key.
alter table ledger_postings drop constraint ledger_postings_account_id_fkey;
alter table account_balances drop constraint account_balances_account_id_fkey;

create or replace function ledger_posting_currency_matches() returns trigger language plpgsql as $$
declare
    account_currency text;
begin
    select currency into account_currency from ledger_accounts where id = new.account_id;
    if not found then
        raise exception 'ledger account % does not exist', new.account_id using errcode = '23503';
    end if;
    if new.currency <> account_currency then
        raise exception 'posting currency % does not match its account', new.currency using errcode = '23514';
    end if;
    insert into account_balances (account_id, shard, balance)
    values (new.account_id, (txid_current() % 64)::smallint, new.amount)
    on conflict (account_id, shard) do update set balance = account_balances.balance + excluded.balance;
    return new;
end $$;

-- Balance shard rows are updated thousands of times a second for a busy account: leave room on each
-- page for in-page (HOT) updates and vacuum the table eagerly, so dead versions do not pile up.
alter table account_balances set (fillfactor = 30, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0);
