-- The tenants' audit log: security-relevant actions from every service (audit.recorded), append-only. Rows
-- change only through the two maintenance paths (retention, and pseudonymizing an erased user), which open the
-- way for their own transaction with set_config('tollgate.audit_maintenance', 'on', true).
create table audit_log (
    id           bigserial     primary key,
    event_id     uuid          not null unique,
    tenant_id    uuid          not null,
    occurred_at  timestamptz   not null,
    service      varchar(50)   not null,
    action       varchar(100)  not null,
    actor        varchar(100)  not null,
    user_id      uuid,
    ip           varchar(64),
    details      text          not null,
    recorded_at  timestamptz   not null default now()
);
create index audit_log_by_tenant on audit_log (tenant_id, id desc);
create index audit_log_by_user on audit_log (user_id);
create index audit_log_by_time on audit_log (occurred_at);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    if current_setting('tollgate.audit_maintenance', true) = 'on' then
        if tg_op = 'DELETE' then
            return old;
        end if;
        return new;
    end if;
    raise exception 'audit_log is append-only: % refused', tg_op;
end
$$;

create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_append_only();
