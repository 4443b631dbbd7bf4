-- What the providers charge for a generation, in millionths of a US dollar (per-provider prices in the config).
alter table generations add column cost_micros bigint not null default 0;

-- Prompt-template runs are generations too: the template, its input, the structured answer once checked, and
-- while unfinished a lease (a run whose lease ran out, its replica gone, is taken over by another).
alter table generations add column template      varchar(100);
alter table generations add column input         text;
alter table generations add column result        text;
alter table generations add column error         text;
alter table generations add column lease_until   timestamptz;
alter table generations add column updated_at    timestamptz not null default now();
alter table generations alter column provider drop not null;
alter table generations alter column provider_model drop not null;
create index generations_unfinished on generations (lease_until) where outcome in ('running', 'retrying');

comment on column generations.outcome is 'completed; interrupted (a stream that broke off, the part sent billed); '
    'for template runs also running, retrying (the first answer failed its schema), invalid-output, failed';
comment on column generations.result is 'a template run''s answer as JSON, checked against the template''s output schema';
