-- each subscription.changed of a tenant carries the next count, taken in the transaction that makes the change
alter table subscriptions add column announced_version bigint not null default 0;
comment on column subscriptions.announced_version is 'how many subscription.changed the tenant''s subscription announced';
