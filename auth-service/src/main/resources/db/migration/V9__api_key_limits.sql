-- An API key's own controls on top of its tenant's plan (common's KeyLimits): a budget per billing period in the
-- plan's metrics (a JSON object, metric to units), requests and tokens per minute, and the models it may call
-- (space-separated). Null: none of its own.
alter table api_keys add column monthly_budget text;
alter table api_keys add column requests_per_minute bigint;
alter table api_keys add column tokens_per_minute bigint;
alter table api_keys add column allowed_models text;
-- The first key of a rotation's line: a successor counts against the same budget and rates as the key it replaced.
alter table api_keys add column lineage_id uuid;
