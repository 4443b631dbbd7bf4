-- Users erased here: a generation of theirs that was still being answered when the erasure ran is not stored.
create table erased_users (
    user_id      uuid         primary key,
    deletion_id  uuid         not null,
    erased_at    timestamptz  not null default now()
);
