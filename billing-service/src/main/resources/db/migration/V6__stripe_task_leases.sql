-- A Stripe task is claimed under a lease in a short transaction, called with no transaction open, then finished in
-- another, only while its lease holds: no row lock is held while Stripe answers, and a replica that died mid-call
-- leaves its tasks to be taken again when the lease runs out.
alter table stripe_tasks
    add column leased_until     timestamptz,
    add column uncertain_since  timestamptz,
    add column parked_at        timestamptz,
    add column resolution       text,
    add column kept_subscription_id  varchar(255),
    add column checkout_session_id   varchar(255);
comment on column stripe_tasks.leased_until is 'the replica carrying the task out holds it until then';
comment on column stripe_tasks.uncertain_since is 'since when a call was made whose outcome is unknown (no answer, '
    '5xx): Stripe may have applied it; a meter event left uncertain past Stripe''s 24-hour dedupe window is parked '
    'rather than sent again';
comment on column stripe_tasks.parked_at is 'when the task stopped being tried: Stripe refused it for good, or its '
    'outcome cannot be known; it waits for an operator (retry or discard)';
comment on column stripe_tasks.resolution is 'how an operator closed it (discarded: reason)';
comment on column stripe_tasks.kept_subscription_id is 'a duplicate subscription''s cancellation: the subscription '
    'the tenant keeps';
comment on column stripe_tasks.checkout_session_id is 'an erasure: the open Checkout Session to expire';

-- tasks the earlier runner had tried without success may have reached Stripe: their outcome is uncertain since then
update stripe_tasks set uncertain_since = created_at where done_at is null and attempts > 0;

drop index stripe_tasks_due;
create index stripe_tasks_due on stripe_tasks (next_attempt_at) where done_at is null and parked_at is null;
create index stripe_tasks_parked on stripe_tasks (parked_at) where done_at is null and parked_at is not null;
