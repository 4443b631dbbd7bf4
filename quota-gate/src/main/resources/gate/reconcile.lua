-- Compares a quota counter with the ledger's total and corrects it, atomically with the gate's own scripts.
-- The counter holds settled units plus the units still held by reservations (expired ones included, until the
-- next admission gives them back), so drift = ledger - (counter - held).
-- KEYS[1] the counter, KEYS[2] the tenant's reservations (sorted set of ids)
-- ARGV    ledger_units, lower (1: also correct a counter that is ahead of the ledger), counter_expire_at_ms
-- Answers {drift, counter, held}; drift > 0: Redis had lost units (a restart, a flush) and they are added back.
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local held = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  held = held + tonumber(redis.call('HGET', KEYS[2] .. ':' .. id, KEYS[1]) or '0')
end
local drift = tonumber(ARGV[1]) - (counter - held)
if drift > 0 or (drift < 0 and ARGV[2] == '1') then
  redis.call('INCRBY', KEYS[1], drift)
  redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[3]))
end
return {drift, counter, held}
