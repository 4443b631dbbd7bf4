-- Invitations to join a tenant, sent by mail; the token is stored as its SHA-256 hash only.
create table invitations (
    token_hash   varchar(64)  primary key,
    tenant_id    uuid         not null references tenants (id) on delete cascade,
    email        varchar(320) not null,
    role         varchar(20)  not null check (role in ('owner', 'admin', 'member')),
    invited_by   uuid         not null,
    created_at   timestamptz  not null default now(),
    expires_at   timestamptz  not null,
    accepted_at  timestamptz,
    accepted_by  uuid
);
create index invitations_by_tenant on invitations (tenant_id);
