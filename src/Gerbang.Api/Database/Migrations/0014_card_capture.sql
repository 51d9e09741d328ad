-- Card payments: how they are captured, and the capture a merchant asked for while it is in flight.
alter table payments
    add column capture_method text check (capture_method in ('automatic', 'manual')),
    add column capture_requested bigint check (capture_requested > 0);
alter table payments add constraint payments_capture_method_card check ((method = 'card') = (capture_method is not null));
alter table payments add constraint payments_captured_within_amount check (amount_captured <= amount or method <> 'card');
