-- The usage ledger: one row per usage.recorded event (its id is the key, so a redelivery adds nothing), and
-- running totals per tenant, billing period, user and metric, updated in the same statement as the ledger.

create table usage_events (
    event_id      uuid         primary key,
    tenant_id     uuid         not null,
    user_id       uuid,
    source        varchar(100) not null,
    model         varchar(200),
    subject_id    varchar(200),
    quantities    jsonb        not null,
    occurred_at   timestamptz  not null,
    period_start  date         not null,
    recorded_at   timestamptz  not null default now()
);
create index usage_events_by_tenant_time on usage_events (tenant_id, occurred_at);

-- user_id is the nil UUID for usage that belongs to no user (a service's own calls)
create table usage_aggregates (
    tenant_id     uuid         not null,
    period_start  date         not null,
    user_id       uuid         not null,
    metric        varchar(100) not null,
    units         bigint       not null,
    updated_at    timestamptz  not null default now(),
    primary key (tenant_id, period_start, user_id, metric)
);
