-- UPI payments (simulator only): operators can set a default or a merchant's fee for the method.

alter table fee_rules drop constraint fee_rules_method_check;
alter table fee_rules add constraint fee_rules_method_check check (method in ('va', 'qris', 'card', 'upi', 'disbursement'));
