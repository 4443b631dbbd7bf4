-- What the test consumer applies: one row per application of an event. No unique key on purpose, so that an
-- event applied twice would show as two rows.
create table usage_tally (
    id         bigserial primary key,
    event_id   uuid   not null,
    tenant_id  uuid   not null,
    units      bigint not null
);
