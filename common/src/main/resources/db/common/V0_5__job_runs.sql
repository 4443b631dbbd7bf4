-- Housekeeping runs once per period across replicas: a replica runs a job only if it moves the job's start time
-- forward, which one replica can do per period (JobRuns).
create table job_run (
    job        text        primary key,
    started_at timestamptz not null,
    replica    text        not null
);
