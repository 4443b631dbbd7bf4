-- API keys: a public prefix to find the key by, the SHA-256 hash of the secret, and what the key may do.
create table api_keys (
    id            uuid primary key,
    tenant_id     uuid         not null references tenants (id) on delete cascade,
    user_id       uuid         not null references users (id) on delete cascade,
    name          varchar(200) not null,
    prefix        varchar(16)  not null unique,
    secret_hash   varchar(64)  not null,
    scopes        varchar(1000) not null,
    created_at    timestamptz  not null default now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    replaced_by   uuid
);
create index api_keys_by_tenant on api_keys (tenant_id);
create index api_keys_by_user on api_keys (user_id);
