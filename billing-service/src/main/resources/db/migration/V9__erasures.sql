-- One row per erasure applied here: what billing erased in its own tables, and when it receipted the request. The
-- Stripe side of each deleted tenant is a stripe_tasks row of the same deletion_id; the receipt goes out once, when
-- the last of them is done.
create table erasures (
    deletion_id    uuid          primary key,
    user_id        uuid          not null,
    tenant_id      uuid          not null,
    counts         text          not null,
    receipted_at   timestamptz,
    created_at     timestamptz   not null default now()
);
comment on column erasures.tenant_id is 'the tenant the request was announced under (its Kafka key)';

create index stripe_tasks_by_deletion on stripe_tasks (deletion_id) where deletion_id is not null;
