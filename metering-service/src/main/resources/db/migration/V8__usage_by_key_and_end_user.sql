-- usage.recorded version 2 names the API key a call was made with and the caller's own customer it was made for
-- (OpenAI's user field), so that usage can be grouped by either; both null for earlier events and sessions' calls.
-- Erased with the tenant, as every row of it is.
alter table usage_events add column api_key_id uuid;
alter table usage_events add column end_user varchar(256);
