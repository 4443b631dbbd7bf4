-- An erasure finds a user's and a tenant's rows by index, in batches (generations by tenant use generations_by_user);
-- built without holding up completions meanwhile.
create index concurrently if not exists generations_by_user_id on generations (user_id);
create index concurrently if not exists feedback_by_user on feedback (user_id);
create index concurrently if not exists feedback_by_tenant on feedback (tenant_id);
