-- A row the broker refuses is tried again later (attempts, next_attempt_at) or, when it can never be published,
-- parked with its error: it holds back only the later rows of its key, never the others.
alter table outbox add column attempts        integer     not null default 0;
alter table outbox add column last_error      text;
alter table outbox add column next_attempt_at timestamptz;
alter table outbox add column parked_at       timestamptz;

-- the relay looks for an earlier row of the same key that waits or is parked
create index outbox_waiting_by_key on outbox (message_key, id)
    where published_at is null and (parked_at is not null or next_attempt_at is not null);
-- the cleanup removes published rows by age
create index outbox_published on outbox (published_at) where published_at is not null;
