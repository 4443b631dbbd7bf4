-- The metering schema: Flyway creates it and common's migrations add the outbox and inbox. Tables that metering-service
-- owns are added by the migrations that come with its features.
comment on schema metering is 'Tollgate metering-service: the usage ledger (one row per usage event), period aggregates, entitlements per tenant, threshold state';
