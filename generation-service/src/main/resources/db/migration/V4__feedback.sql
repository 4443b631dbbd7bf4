-- A user's verdict on one of their generations: one per generation, replaced when given again.
create table feedback (
    generation_id  uuid         primary key references generations (id) on delete cascade,
    tenant_id      uuid         not null,
    user_id        uuid         not null,
    rating         smallint     not null check (rating between 1 and 5),
    comment        varchar(2000),
    created_at     timestamptz  not null default now(),
    updated_at     timestamptz  not null default now()
);
