-- Users, their tenants, the keys that sign their tokens, and the credentials that prove who they are. Every
-- secret a user holds (magic-link token, refresh token) is stored as its SHA-256 hash only.

create table users (
    id          uuid primary key,
    email       varchar(320) not null unique,
    created_at  timestamptz  not null default now(),
    last_sign_in_at timestamptz
);

create table tenants (
    id          uuid primary key,
    name        varchar(200) not null,
    personal    boolean      not null default false,
    created_at  timestamptz  not null default now()
);

create table memberships (
    tenant_id   uuid        not null references tenants (id) on delete cascade,
    user_id     uuid        not null references users (id) on delete cascade,
    role        varchar(20) not null check (role in ('owner', 'admin', 'member')),
    created_at  timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
create index memberships_by_user on memberships (user_id);

create table signing_keys (
    kid              varchar(64)  primary key,
    algorithm        varchar(16)  not null,
    public_jwk       text         not null,
    private_key      text         not null,  -- PKCS#8, encrypted with the key-encryption secret (JWE, dir + A256GCM)
    created_at       timestamptz  not null default now(),
    retired_at       timestamptz,           -- stops signing; still published until published_until
    published_until  timestamptz
);

create table magic_link_challenges (
    token_hash  varchar(64)  primary key,
    email       varchar(320) not null,
    redirect    varchar(2000),
    created_at  timestamptz  not null default now(),
    expires_at  timestamptz  not null,
    spent_at    timestamptz
);
create index magic_link_challenges_expiry on magic_link_challenges (expires_at);

-- a session: one sign-in on one device, carried by a chain of refresh tokens
create table refresh_families (
    id           uuid primary key,
    user_id      uuid        not null references users (id) on delete cascade,
    tenant_id    uuid        not null references tenants (id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    user_agent   varchar(500),
    ip           varchar(64),
    revoked_at   timestamptz,
    revoked_reason varchar(50)
);
create index refresh_families_by_user on refresh_families (user_id);

create table refresh_tokens (
    token_hash  varchar(64) primary key,
    family_id   uuid        not null references refresh_families (id) on delete cascade,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    spent_at    timestamptz
);
create index refresh_tokens_by_family on refresh_tokens (family_id);
