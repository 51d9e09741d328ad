-- The double-entry ledger. Entries are immutable, balanced per currency (checked by the database at
-- commit), and carry a unique business reference so each movement is written exactly once.

create table ledger_accounts (
    id          bigint generated always as identity primary key,
    kind        text not null check (kind in ('provider_clearing', 'platform_fees', 'merchant_available', 'merchant_pending', 'merchant_reserved')),
    mode        text not null check (mode in ('test', 'live')),
    currency    text not null check (currency ~ '^[A-Z]{3}$'),
    owner       text not null default '',
    created_at  timestamptz not null default now(),
    unique (kind, mode, currency, owner)
);

create table ledger_entries (
    id           text primary key,
    reference    text not null unique,
    description  text not null,
    created_at   timestamptz not null
);

create table ledger_postings (
    seq           bigint generated always as identity primary key,
    entry_id      text not null references ledger_entries (id),
    account_id    bigint not null references ledger_accounts (id),
    amount        bigint not null check (amount <> 0),
    currency      text not null,
    -- What a merchant sees on its balance transaction list (payment, fee, refund, …); null otherwise.
    public_id     text unique,
    balance_type  text check (balance_type in ('payment', 'fee', 'refund', 'refund_reversal', 'disbursement', 'disbursement_reversal', 'adjustment')),
    source        text,
    merchant_id   text,
    created_at    timestamptz not null
);
create index ledger_postings_account on ledger_postings (account_id, seq desc);
create index ledger_postings_entry on ledger_postings (entry_id);

-- Account balances are kept in a few shards per account so that many concurrent postings to one hot
-- account (a busy merchant) do not queue on one row lock; a read sums at most 16 rows.
create table account_balances (
    account_id  bigint not null references ledger_accounts (id),
    shard       smallint not null check (shard between 0 and 15),
    balance     bigint not null,
    primary key (account_id, shard)
);

create function ledger_entry_must_balance() returns trigger language plpgsql as $$
begin
    if exists (select 1 from ledger_postings where entry_id = new.entry_id group by currency having sum(amount) <> 0) then
        raise exception 'ledger entry % does not balance', new.entry_id using errcode = '23514';
    end if;
    return null;
end $$;

create constraint trigger ledger_postings_balanced
    after insert on ledger_postings
    deferrable initially deferred
    for each row execute function ledger_entry_must_balance();

create function ledger_posting_currency_matches() returns trigger language plpgsql as $$
begin
    if new.currency <> (select currency from ledger_accounts where id = new.account_id) then
        raise exception 'posting currency % does not match its account', new.currency using errcode = '23514';
    end if;
    insert into account_balances (account_id, shard, balance)
    values (new.account_id, pg_backend_pid() % 16, new.amount)
    on conflict (account_id, shard) do update set balance = account_balances.balance + excluded.balance;
    return new;
end $$;

create trigger ledger_postings_apply
    before insert on ledger_postings
    for each row execute function ledger_posting_currency_matches();

create function ledger_is_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'the ledger is append-only' using errcode = '42501';
end $$;

create trigger ledger_entries_immutable before update or delete on ledger_entries
    for each row execute function ledger_is_immutable();
create trigger ledger_postings_immutable before update or delete on ledger_postings
    for each row execute function ledger_is_immutable();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
    for each statement execute function ledger_is_immutable();
create trigger ledger_postings_no_truncate before truncate on ledger_postings
    for each statement execute function ledger_is_immutable();

-- What a merchant sees of its available balance: every posting, with the running balance after it.
-- Partitioned by owner and mode so a merchant-scoped query computes only that merchant's window.
create view balance_transactions as
select p.public_id as id, a.owner as merchant_id, a.mode, p.seq, -p.amount as amount, p.currency,
       p.balance_type as type, p.source, p.created_at,
       sum(-p.amount) over (partition by a.owner, a.mode, a.currency order by p.seq) as balance_after
from ledger_postings p
join ledger_accounts a on a.id = p.account_id
where a.kind = 'merchant_available';
