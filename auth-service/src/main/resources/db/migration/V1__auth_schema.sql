-- The auth schema: Flyway creates it and common's migrations add the outbox and inbox. Tables that auth-service
-- owns are added by the migrations that come with its features.
comment on schema auth is 'Tollgate auth-service: users, email identities, OAuth identities, magic-link challenges (hashed), refresh-token families, signing keys, tenants, memberships, invitations, API keys (hashed)';
