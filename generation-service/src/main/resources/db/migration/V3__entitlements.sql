-- generation-service's replica of tenants' entitlements (common's EntitlementStore), from subscription.changed:
-- the models a tenant may call, its quotas and rate limits. A tenant without a row is on the free tier.
create table entitlements (
    tenant_id      uuid         primary key,
    plan           varchar(100) not null,
    status         varchar(50)  not null,
    period_anchor  timestamptz  not null,
    entitlements   jsonb        not null,
    changed_at     timestamptz  not null,
    updated_at     timestamptz  not null default now()
);
comment on column entitlements.period_anchor is 'billing periods run monthly from this instant (the subscription''s period start)';
comment on column entitlements.changed_at is 'occurredAt of the event applied: an older event arriving late changes nothing';
