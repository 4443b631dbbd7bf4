-- Billing periods follow each tenant's billing anchor, so a period starts at an instant, not on a date.
alter table usage_events alter column period_start type timestamptz using (period_start::timestamp at time zone 'UTC');
alter table usage_aggregates alter column period_start type timestamptz using (period_start::timestamp at time zone 'UTC');
create index usage_aggregates_recent on usage_aggregates (period_start, tenant_id);

-- A tenant's entitlements as the newest subscription.changed gave them; a tenant without a row is on the free tier.
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

-- Each threshold is announced once per tenant, billing period and metric.
create table threshold_alerts (
    tenant_id     uuid         not null,
    period_start  timestamptz  not null,
    metric        varchar(100) not null,
    percent       int          not null,
    used          bigint       not null,
    quota         bigint       not null,
    crossed_at    timestamptz  not null default now(),
    primary key (tenant_id, period_start, metric, percent)
);

-- Users whose usage was pseudonymized: usage of theirs that arrives later is recorded without their id.
create table erased_users (
    user_id       uuid         primary key,
    deletion_id   uuid         not null,
    erased_at     timestamptz  not null default now()
);
