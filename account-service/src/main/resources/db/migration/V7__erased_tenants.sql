-- The tenants an erasure deletes with its user (those the user alone owned when they asked, as auth-service fixed
-- them): the erasure's scope, and what late events about those tenants are checked against.
create table erased_tenants (
    tenant_id    uuid          primary key,
    deletion_id  uuid          not null references deletion_requests (id)
);
create index erased_tenants_by_deletion on erased_tenants (deletion_id);
-- a request of the previous release said only whether the tenant it was asked from went too (auth-service then
-- deleted every tenant the user alone owned when it applied it); such a request is sent again as it was
alter table deletion_requests add column scoped boolean not null default false;
insert into erased_tenants (tenant_id, deletion_id)
select tenant_id, id from deletion_requests where tenant_deleted
on conflict (tenant_id) do nothing;

-- a stalled erasure is sent again to the services that have not receipted it (RedriveErasures)
alter table deletion_requests add column redrives int not null default 0;
alter table deletion_requests add column redriven_at timestamptz;
