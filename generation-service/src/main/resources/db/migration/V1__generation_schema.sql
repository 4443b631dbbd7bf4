-- The generation schema: Flyway creates it and common's migrations add the outbox and inbox. Tables that generation-service
-- owns are added by the migrations that come with its features.
comment on schema generation is 'Tollgate generation-service: generation records (prompt, output, model, tokens, cost, outcome), feedback, async jobs';
