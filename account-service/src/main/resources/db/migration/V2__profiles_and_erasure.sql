-- Profiles and preferences, and erasure requests with each service's receipt. A request keeps the erased user's
-- id: it is the record that the erasure was asked for and carried out, and holds no other personal data.
create table profiles (
    user_id               uuid          primary key,
    tenant_id             uuid          not null,
    display_name          varchar(100),
    locale                varchar(35),
    time_zone             varchar(64),
    marketing_consent     boolean       not null default false,
    marketing_consent_at  timestamptz,
    created_at            timestamptz   not null,
    updated_at            timestamptz   not null
);

create table deletion_requests (
    id                  uuid          primary key,
    user_id             uuid          not null unique,
    tenant_id           uuid          not null,
    tenant_deleted      boolean       not null,
    requested_at        timestamptz   not null,
    deadline_at         timestamptz   not null,
    completed_at        timestamptz,
    overdue_alerted_at  timestamptz
);
create index deletion_requests_open on deletion_requests (deadline_at) where completed_at is null;
comment on column deletion_requests.user_id is 'one request per user: a second delete answers the first';

create table deletion_receipts (
    deletion_id  uuid          not null references deletion_requests (id),
    service      varchar(50)   not null,
    counts       text          not null,
    received_at  timestamptz   not null,
    primary key (deletion_id, service)
);
