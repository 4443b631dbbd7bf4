-- A user's accounts at social sign-in providers, by the provider's subject id.
create table oauth_identities (
    provider    varchar(50)  not null,
    subject     varchar(255) not null,
    user_id     uuid         not null references users (id) on delete cascade,
    email       varchar(320) not null,
    created_at  timestamptz  not null default now(),
    last_sign_in_at timestamptz,
    primary key (provider, subject)
);
create index oauth_identities_by_user on oauth_identities (user_id);
