-- A failed payment starts a grace period (the tenant keeps its plan until grace_ends_at, then is moved to the free
-- plan until a payment succeeds), and the tenants' invoices as Stripe's invoice events described them. Invoices are
-- kept for the bookkeeping the law requires; an erased tenant's rows lose their personal data (email, name).
alter table subscriptions
    add column payment_failed_at  timestamptz,
    add column grace_ends_at      timestamptz;
create index subscriptions_in_grace on subscriptions (grace_ends_at) where grace_ends_at is not null;
comment on column subscriptions.grace_ends_at is 'after this, a subscription still past_due or unpaid gives the free plan';

create table invoices (
    id                      varchar(255)  primary key,
    tenant_id               uuid          not null,
    stripe_customer_id      varchar(255)  not null,
    stripe_subscription_id  varchar(255),
    number                  varchar(100),
    status                  varchar(50)   not null,
    currency                varchar(10)   not null,
    amount_due              bigint        not null,
    amount_paid             bigint        not null,
    period_start            timestamptz,
    period_end              timestamptz,
    hosted_invoice_url      text,
    invoice_pdf             text,
    customer_email          varchar(320),
    customer_name           varchar(255),
    created                 timestamptz   not null,
    stripe_event_created    timestamptz   not null,
    updated_at              timestamptz   not null default now()
);
create index invoices_by_tenant on invoices (tenant_id, created desc, id desc);
comment on column invoices.created is 'when Stripe created the invoice; the list is newest first';
