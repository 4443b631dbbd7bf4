-- An erasure's scope, fixed when the user asks (account-service asks here first): the tenants the user alone owns
-- then are deleted with them, whatever happens until account.deleted is applied here. While a hold lives, no
-- membership of a tenant the user belongs to changes, and the user creates or joins no tenant. It goes with the
-- user; account-service releases one whose request it could not record. Two requests of one user (asked at once)
-- hold one row each, with the same tenants: the first fixed them.
create table erasure_holds (
    user_id      uuid          not null references users (id) on delete cascade,
    deletion_id  uuid          not null,
    tenants      uuid[]        not null,
    held_at      timestamptz   not null,
    primary key (user_id, deletion_id)
);
comment on column erasure_holds.tenants is 'the tenants the user alone owned when they asked: deleted with them';
