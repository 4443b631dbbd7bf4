-- The API key a template run was started with: a run taken over after its replica died is admitted again under the
-- key's own controls (its budget, rates and models), as it was at its start.
alter table generations add column api_key_id uuid;
