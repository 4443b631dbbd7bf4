-- Erasure finds a user's rows without scanning the ledger (it holds ingestion back while it runs).
create index usage_events_by_user on usage_events (user_id) where user_id is not null;
create index usage_aggregates_by_user on usage_aggregates (user_id);
