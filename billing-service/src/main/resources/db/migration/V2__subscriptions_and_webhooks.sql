-- Stripe customers of tenants, one subscription state per tenant (as Stripe's newest applied event said), and the
-- ids of Stripe events already applied (each event changes things once).
create table customers (
    tenant_id           uuid          primary key,
    stripe_customer_id  varchar(255)  not null unique,
    created_at          timestamptz   not null default now()
);

create table subscriptions (
    tenant_id               uuid          primary key,
    stripe_subscription_id  varchar(255)  not null,
    stripe_customer_id      varchar(255)  not null,
    plan                    varchar(100)  not null,
    stripe_price_id         varchar(255),
    status                  varchar(50)   not null,
    current_period_start    timestamptz,
    current_period_end      timestamptz,
    cancel_at_period_end    boolean       not null default false,
    stripe_event_created    timestamptz   not null,
    updated_at              timestamptz   not null
);
create index subscriptions_by_stripe_id on subscriptions (stripe_subscription_id);
comment on column subscriptions.stripe_event_created is 'when Stripe created the newest event applied; older events change nothing';

create table stripe_events (
    id           varchar(255)  primary key,
    type         varchar(100)  not null,
    created      timestamptz   not null,
    received_at  timestamptz   not null default now()
);
