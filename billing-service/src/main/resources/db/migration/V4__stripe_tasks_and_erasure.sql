-- Calls to Stripe that must happen once each, whatever crashes in between: usage reported to a Stripe meter
-- (plans with overage) and the Stripe side of an erased tenant. A task is written in the transaction of its cause
-- and carried out later; its id is Stripe's idempotency key (and a meter event's identifier), so a retry after a
-- lost answer is applied once by Stripe.
create table stripe_tasks (
    id                      uuid          primary key,
    kind                    varchar(50)   not null,
    tenant_id               uuid          not null,
    stripe_customer_id      varchar(255)  not null,
    stripe_subscription_id  varchar(255),
    meter_value             bigint,
    occurred_at             timestamptz   not null,
    deletion_id             uuid,
    user_id                 uuid,
    attempts                int           not null default 0,
    next_attempt_at         timestamptz   not null default now(),
    last_error              text,
    done_at                 timestamptz,
    created_at              timestamptz   not null default now()
);
create index stripe_tasks_due on stripe_tasks (next_attempt_at) where done_at is null;
comment on column stripe_tasks.kind is 'meter-event or erase-customer';

-- Tenants erased on account.deleted: Stripe's later events about them (the subscription it cancelled, the customer
-- it deleted) change nothing and bring nothing back.
create table erased_tenants (
    tenant_id    uuid         primary key,
    deletion_id  uuid         not null,
    erased_at    timestamptz  not null default now()
);
