-- Notifications: what each user wants to be written to about, each mail sent once (its key), and the address an
-- erasure's completion mail goes to, kept only until that mail is sent (auth-service forgets it during the erasure).
alter table profiles
    add column notify_usage    boolean  not null default true,
    add column notify_billing  boolean  not null default true;

create table notifications (
    key      varchar(200)  primary key,
    user_id  uuid,
    kind     varchar(50)   not null,
    sent_at  timestamptz   not null
);
create index notifications_by_user on notifications (user_id);

alter table deletion_requests add column contact_email varchar(320);
comment on column deletion_requests.contact_email is 'where the completion mail goes; null once it is sent';

-- one export in progress per user, also when two requests arrive at once
create unique index export_jobs_one_in_progress on export_jobs (user_id) where status in ('queued', 'running');
