-- Export jobs (GDPR Art. 15/20): gathered from every service by account-service, kept as a ZIP until the link
-- expires, then dropped. Rows of an erased user are deleted with the rest of their data.
create table export_jobs (
    id               uuid          primary key,
    user_id          uuid          not null,
    tenant_id        uuid          not null,
    status           varchar(20)   not null,
    services_done    varchar(200)  not null default '',
    attempts         int           not null default 0,
    next_attempt_at  timestamptz   not null,
    last_error       text,
    requested_at     timestamptz   not null,
    ready_at         timestamptz,
    expires_at       timestamptz,
    archive          bytea,
    archive_bytes    bigint,
    archive_sha256   varchar(64)
);
create index export_jobs_by_user on export_jobs (user_id, requested_at desc);
create index export_jobs_due on export_jobs (next_attempt_at) where status in ('queued', 'running');
comment on column export_jobs.status is 'queued, running, ready, failed or expired';
