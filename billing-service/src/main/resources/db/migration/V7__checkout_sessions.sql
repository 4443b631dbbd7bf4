-- The tenant's open Stripe Checkout Session: a second checkout (another tab, a double click, another admin) while one
-- is open is sent to the same session, so one payment makes one subscription. A replica creating one holds the row
-- under a claim; the others wait for it instead of creating their own.
create table checkout_sessions (
    tenant_id          uuid          primary key,
    plan               varchar(100),
    stripe_session_id  varchar(255),
    url                text,
    expires_at         timestamptz,
    claim              uuid,
    claimed_until      timestamptz,
    completed_at       timestamptz,
    updated_at         timestamptz   not null default now()
);
comment on column checkout_sessions.claim is 'the checkout creating a session now (its idempotency key at Stripe)';
comment on column checkout_sessions.completed_at is 'Stripe said the session was paid: its subscription is on its way';
comment on column checkout_sessions.expires_at is 'when Stripe expires the session (24 hours after it was created)';
create unique index checkout_sessions_session on checkout_sessions (stripe_session_id)
    where stripe_session_id is not null;
