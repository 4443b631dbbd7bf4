-- the hourly cleanup removes the ids of events applied longer ago than tollgate.inbox.retention
create index inbox_applied_at on inbox (applied_at);
