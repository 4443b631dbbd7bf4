-- The erasures this service is carrying out (common's ErasureJobs, used by generation and metering): marked erased
-- in one short transaction, then deleted in batches of short transactions, and receipted once all is gone. A
-- replica that stops goes on where it was.
create table erasure_jobs (
    deletion_id   uuid          primary key,
    user_id       uuid          not null,
    tenant_id     uuid          not null,
    tenants       uuid[]        not null,
    counts        text          not null default '{}',
    created_at    timestamptz   not null default now(),
    done_at       timestamptz
);
create index erasure_jobs_open on erasure_jobs (created_at) where done_at is null;
comment on column erasure_jobs.tenant_id is 'the tenant the request was announced under (its Kafka key)';
comment on column erasure_jobs.tenants is 'the tenants deleted with the user';
