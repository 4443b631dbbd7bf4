-- The trace of the request that wrote an event (a W3C traceparent), so the relay publishes it into that trace and
-- each consumer's span joins it; null when nothing was traced.
alter table outbox add column trace_parent text;
