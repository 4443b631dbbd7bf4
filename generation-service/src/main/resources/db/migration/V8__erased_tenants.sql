-- Tenants erased here: a generation of one of their members whose write was kept for later (the database was away
-- when it was answered) is not stored after the erasure ran; its usage still counts.
create table erased_tenants (
    tenant_id    uuid         primary key,
    deletion_id  uuid         not null,
    erased_at    timestamptz  not null default now()
);
