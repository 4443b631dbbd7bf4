-- Tenants deleted by an erasure: usage, plans and thresholds that arrive about them later are not kept.
create table erased_tenants (
    tenant_id     uuid         primary key,
    deletion_id   uuid         not null,
    erased_at     timestamptz  not null default now()
);
