-- The key that created a key (an API key with keys:manage), so that revoking it revokes what it issued.
alter table api_keys add column created_by_key uuid;
create index api_keys_by_creator on api_keys (created_by_key) where created_by_key is not null;
