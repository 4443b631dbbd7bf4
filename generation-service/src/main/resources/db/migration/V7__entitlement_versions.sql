-- subscription.changed counts a tenant's announcements (version): the newest applies whatever order events arrive
-- in and whatever billing's clocks say; rows stored before count as 0, events of an older producer carry 0
alter table entitlements add column version bigint not null default 0;
comment on column entitlements.version is 'the announcement count of the subscription.changed applied';
