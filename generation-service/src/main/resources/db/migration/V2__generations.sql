-- One row per generation: what was asked, what answered, what it used. Rows belong to a tenant and a user.
create table generations (
    id              uuid          primary key,
    tenant_id       uuid          not null,
    user_id         uuid,
    model           varchar(100)  not null,
    provider        varchar(100)  not null,
    provider_model  varchar(200)  not null,
    prompt          text          not null,
    output          text,
    finish_reason   varchar(50),
    input_tokens    bigint        not null,
    output_tokens   bigint        not null,
    outcome         varchar(30)   not null,
    created_at      timestamptz   not null default now()
);
create index generations_by_user on generations (tenant_id, user_id, created_at desc);
comment on column generations.prompt is 'the request''s messages as JSON';
