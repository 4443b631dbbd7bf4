-- The account schema: Flyway creates it and common's migrations add the outbox and inbox. Tables that account-service
-- owns are added by the migrations that come with its features.
comment on schema account is 'Tollgate account-service: profiles, preferences, export jobs, deletion requests and per-service receipts, audit log, notifications';
