-- Brings a quota counter to what is known to be used, atomically with the gate's own scripts. The counter holds
-- the units settled plus the units held by live reservations. What is known to be used is the larger of the
-- ledger's total and the settled total Redis keeps (usage settled but still on its way to the ledger counts):
-- a counter behind it (Redis lost units: a restart, a flush) is raised, one ahead of it and its holds (units of a
-- hold nobody will settle) is lowered. Expired reservations of the tenant are given back first.
-- KEYS[1] the counter, KEYS[2] the tenant's reservations (sorted set of ids), KEYS[3] the counter's settled total
-- ARGV    ledger_units, counter_expire_at_ms
-- Answers {drift, counter, held, settled}: drift = what the counter was corrected by (positive: raised).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expire_at = tonumber(ARGV[2])
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)) do
  local hash = KEYS[2] .. ':' .. stale
  local holds = redis.call('HGETALL', hash)
  for i = 1, #holds, 2 do
    redis.call('DECRBY', holds[i], tonumber(holds[i + 1]))
  end
  redis.call('DEL', hash)
  redis.call('ZREM', KEYS[2], stale)
end
local held = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  held = held + tonumber(redis.call('HGET', KEYS[2] .. ':' .. id, KEYS[1]) or '0')
end
local ledger = tonumber(ARGV[1])
local settled = tonumber(redis.call('GET', KEYS[3]) or '0')
if settled < ledger then
  -- Redis lost settled units: the ledger knows them
  redis.call('SET', KEYS[3], ledger)
  redis.call('PEXPIREAT', KEYS[3], expire_at)
  settled = ledger
end
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local drift = settled + held - counter
if drift ~= 0 then
  redis.call('INCRBY', KEYS[1], drift)
  redis.call('PEXPIREAT', KEYS[1], expire_at)
end
return {drift, counter, held, settled}
