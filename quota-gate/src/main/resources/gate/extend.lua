-- Keeps a reservation held while its call still runs (a long stream, a fallback chain): its expiry moves to
-- Redis's now plus the TTL. Answers 1 while it is held, 0 when it expired and its units went back already.
-- KEYS[1] the tenant's reservations, KEYS[2] the reservation's hash.  ARGV: reservation_id, ttl_ms
if redis.call('EXISTS', KEYS[2]) == 0 or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1
