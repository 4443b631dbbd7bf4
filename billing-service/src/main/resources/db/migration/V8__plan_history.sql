-- The plan each tenant was on, from when: usage reported to Stripe's meter follows the plan in force when the usage
-- happened, not the one at the time billing reads the event (a downgrade in between must not drop overage already
-- used, an upgrade must not bill overage for usage before it).
create table plan_history (
    tenant_id   uuid         not null,
    valid_from  timestamptz  not null,
    plan        varchar(100) not null,
    primary key (tenant_id, valid_from)
);
comment on table plan_history is 'the plan a tenant is on from valid_from until the next row';

-- the plans in force now held since before any usage still to be reported
insert into plan_history (tenant_id, valid_from, plan)
select tenant_id, timestamptz '1970-01-01 00:00:00+00', plan from subscriptions;
