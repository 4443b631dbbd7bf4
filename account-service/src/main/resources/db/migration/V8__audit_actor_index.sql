-- An erasure pseudonymizes the user's entries as subject and as actor; built without holding up the log meanwhile.
create index concurrently if not exists audit_log_by_actor on audit_log (actor);
