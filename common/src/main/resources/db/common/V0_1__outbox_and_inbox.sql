-- Every service's schema holds these two tables: events waiting to be published, and events already applied.

create table outbox (
    id             bigserial primary key,
    event_id       uuid         not null unique,
    topic          varchar(200) not null,
    event_type     varchar(200) not null,
    message_key    varchar(200) not null,
    payload        text         not null,
    occurred_at    timestamptz  not null,
    created_at     timestamptz  not null default now(),
    published_at   timestamptz
);

-- the relay reads only the unpublished rows, oldest first
create index outbox_unpublished on outbox (id) where published_at is null;

create table inbox (
    consumer     varchar(200) not null,
    event_id     uuid         not null,
    topic        varchar(200) not null,
    applied_at   timestamptz  not null default now(),
    primary key (consumer, event_id)
);
