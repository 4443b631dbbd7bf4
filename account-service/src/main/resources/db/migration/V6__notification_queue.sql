-- A notification is recorded in the transaction of what caused it and sent afterwards, once, by SendNotifications:
-- an event applied again (a retried transaction, a redelivery) records nothing new and sends nothing twice. The
-- address and text are kept only until the mail is sent (or given up).
alter table notifications
    add column recipient        varchar(320),
    add column subject          text,
    add column body             text,
    add column created_at       timestamptz  not null default now(),
    add column attempts         integer      not null default 0,
    add column last_error       text,
    add column next_attempt_at  timestamptz,
    add column lease_until      timestamptz,
    add column failed_at        timestamptz,
    alter column sent_at drop not null;

-- the sender looks for the mails still to send, oldest first
create index notifications_to_send on notifications (created_at) where sent_at is null and failed_at is null;
