-- Settles a reservation with what was really used: once. A reservation that already expired gave its units
-- back, so the whole actual amount is counted; one still held is corrected by the difference. Each counter's
-- settled total (what callers reported using, held units aside) grows by the actual amount: reconciliation never
-- lowers a counter below it, whatever the ledger has recorded so far.
-- KEYS[1] the tenant's reservations, KEYS[2] the reservation's hash, KEYS[3] its settled marker,
-- KEYS[4 .. 3+n] n quota counters, KEYS[4+n .. 3+2n] their settled totals.
-- ARGV: reservation_id, marker_ttl_ms, counter_expire_at_ms, then an actual amount per counter.
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', tonumber(ARGV[2])) then
  return 0
end
local n = (#KEYS - 3) / 2
local expire_at = tonumber(ARGV[3])
local held = redis.call('EXISTS', KEYS[2]) == 1
for i = 1, n do
  local counter = KEYS[3 + i]
  local actual = tonumber(ARGV[3 + i])
  local reserved = 0
  if held then
    reserved = tonumber(redis.call('HGET', KEYS[2], counter) or '0')
  end
  if actual - reserved ~= 0 then
    redis.call('INCRBY', counter, actual - reserved)
    redis.call('PEXPIREAT', counter, expire_at)
  end
  if actual ~= 0 then
    redis.call('INCRBY', KEYS[3 + n + i], actual)
    redis.call('PEXPIREAT', KEYS[3 + n + i], expire_at)
  end
end
-- units the reservation holds on counters the caller did not name (it knew of none: its reserve call timed out
-- but Redis applied it) are given back too
if held then
  local named = {}
  for i = 1, n do named[KEYS[3 + i]] = true end
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
