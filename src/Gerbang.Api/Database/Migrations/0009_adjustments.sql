-- Finance can correct what a provider holds for us; the other side of each correction is recorded here.
alter table ledger_accounts drop constraint ledger_accounts_kind_check;
alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
    ('provider_clearing', 'platform_fees', 'platform_adjustments', 'merchant_available', 'merchant_pending', 'merchant_reserved'));
