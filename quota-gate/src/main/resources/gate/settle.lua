-- Settles a reservation with what was really used: once. A reservation that already expired gave its units
-- back, so the whole actual amount is counted; one still held is corrected by the difference.
-- KEYS[1] the tenant's reservations, KEYS[2] the reservation's hash, KEYS[3] its settled marker,
-- KEYS[4..] quota counters.  ARGV: reservation_id, marker_ttl_ms, counter_expire_at_ms, then an actual
-- amount per counter.
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', tonumber(ARGV[2])) then
  return 0
end
local held = redis.call('EXISTS', KEYS[2]) == 1
for i = 4, #KEYS do
  local actual = tonumber(ARGV[i])
  local reserved = 0
  if held then
    reserved = tonumber(redis.call('HGET', KEYS[2], KEYS[i]) or '0')
  end
  if actual - reserved ~= 0 then
    redis.call('INCRBY', KEYS[i], actual - reserved)
    redis.call('PEXPIREAT', KEYS[i], tonumber(ARGV[3]))
  end
end
-- units the reservation holds on counters the caller did not name (it knew of none: its reserve call timed out
-- but Redis applied it) are given back too
if held then
  local named = {}
  for i = 4, #KEYS do named[KEYS[i]] = true end
  local rest = redis.call('HGETALL', KEYS[2])
  for i = 1, #rest, 2 do
    if not named[rest[i]] then
      redis.call('DECRBY', rest[i], tonumber(rest[i + 1]))
    end
  end
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
