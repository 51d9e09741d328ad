-- More balance shards, chosen per transaction rather than per database backend: a busy merchant's
-- concurrent credits then rarely meet on one row, and one transaction still touches one shard per account.
alter table account_balances drop constraint account_balances_shard_check;
alter table account_balances add constraint account_balances_shard_check check (shard between 0 and 63);

create or replace function ledger_posting_currency_matches() returns trigger language plpgsql as $$
begin
    if new.currency <> (select currency from ledger_accounts where id = new.account_id) then
        raise exception 'posting currency % does not match its account', new.currency using errcode = '23514';
    end if;
    insert into account_balances (account_id, shard, balance)
    values (new.account_id, (txid_current() % 64)::smallint, new.amount)
    on conflict (account_id, shard) do update set balance = account_balances.balance + excluded.balance;
    return new;
end $$;
