-- The billing schema: Flyway creates it and common's migrations add the outbox and inbox. Tables that billing-service
-- owns are added by the migrations that come with its features.
comment on schema billing is 'Tollgate billing-service: Stripe customers, subscriptions, plan catalog state, processed webhook ids, invoices cache';
