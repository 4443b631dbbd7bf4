-- A re-drive holds its row under a lease (leased_until), so that no other replica or operator re-drives or discards
-- it meanwhile.
-- An event a consumer could not apply for a reason of its own (unreadable, or its effect failing every try) is kept
-- here instead of blocking its partition: re-driven automatically a few times with growing pauses, then by an
-- operator (re-driven again, or discarded with a reason). Resolved rows are removed after the inbox retention.
create table dead_letter (
    id              bigserial   primary key,
    consumer        text        not null,
    topic           text        not null,
    event_id        uuid,
    payload         text        not null,
    last_error      text        not null,
    attempts        integer     not null default 1,
    dead_at         timestamptz not null default now(),
    next_attempt_at timestamptz,
    leased_until    timestamptz,
    resolved_at     timestamptz,
    resolution      text
);

-- one open dead letter per consumer and event: a redelivered record that fails again adds nothing
create unique index dead_letter_open_event on dead_letter (consumer, event_id)
    where event_id is not null and resolved_at is null;
-- the re-drive takes due rows by time; the cleanup removes resolved rows by age
create index dead_letter_due on dead_letter (next_attempt_at) where resolved_at is null;
create index dead_letter_resolved on dead_letter (resolved_at) where resolved_at is not null;
