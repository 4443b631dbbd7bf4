-- The quota gate in one round trip: release expired reservations, apply rate limits (GCRA), then reserve
-- the worst-case amount of every metric or nothing at all. Every key carries the tenant's hash tag.
-- KEYS[1]      the tenant's reservations, a sorted set of reservation ids by expiry
-- KEYS[2]      this reservation's hash (counter key -> reserved amount)
-- KEYS[3..]    m quota counters, then r rate-limit keys
-- ARGV         now_ms, ttl_ms, reservation_id, counter_expire_at_ms, m, r,
--              then per metric: amount, limit (-1: unlimited), then per rule: interval_ms, tolerance_ms
-- Answers     {1, remaining per metric (-1: unlimited)..., then per rule: requests left, ms until full again}
--             {2, rule index, ms to wait}       a rate limit refused
--             {3, metric index, used, limit}    a quota refused
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local id = ARGV[3]
local expire_at = tonumber(ARGV[4])
local m = tonumber(ARGV[5])
local r = tonumber(ARGV[6])

-- 1. reservations whose caller never settled them give their units back (at most 100 per call)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
for _, stale in ipairs(expired) do
  local hash = KEYS[1] .. ':' .. stale
  local held = redis.call('HGETALL', hash)
  for i = 1, #held, 2 do
    redis.call('DECRBY', held[i], tonumber(held[i + 1]))
  end
  redis.call('DEL', hash)
  redis.call('ZREM', KEYS[1], stale)
end

-- 2. rate limits (GCRA: a theoretical arrival time per key; tolerance = window - interval admits "limit" at once)
--    every rule must admit the request before any state changes
local tats = {}
local rate_base = 2 + m
local arg = 7 + 2 * m
for j = 1, r do
  local interval = tonumber(ARGV[arg + 2 * (j - 1)])
  local tolerance = tonumber(ARGV[arg + 2 * (j - 1) + 1])
  local tat = tonumber(redis.call('GET', KEYS[rate_base + j]) or now)
  if tat < now then tat = now end
  if now < tat - tolerance then
    return {2, j, tat - tolerance - now}
  end
  tats[j] = tat + interval
end

-- 3. quotas: the worst case must fit under every limit
local used = {}
for i = 1, m do
  local amount = tonumber(ARGV[5 + 2 * i])
  local limit = tonumber(ARGV[6 + 2 * i])
  local current = tonumber(redis.call('GET', KEYS[2 + i]) or '0')
  if limit >= 0 and current + amount > limit then
    return {3, i, current, limit}
  end
  used[i] = current
end

-- 4. commit: advance the rate limits, hold the units, remember the reservation until it expires
for j = 1, r do
  local interval = tonumber(ARGV[arg + 2 * (j - 1)])
  local tolerance = tonumber(ARGV[arg + 2 * (j - 1) + 1])
  redis.call('SET', KEYS[rate_base + j], tats[j], 'PX', tolerance + interval)
end
local answer = {1}
for i = 1, m do
  local amount = tonumber(ARGV[5 + 2 * i])
  local limit = tonumber(ARGV[6 + 2 * i])
  local total = redis.call('INCRBY', KEYS[2 + i], amount)
  redis.call('PEXPIREAT', KEYS[2 + i], expire_at)
  if amount > 0 then
    redis.call('HSET', KEYS[2], KEYS[2 + i], amount)
  end
  answer[#answer + 1] = limit >= 0 and (limit - total) or -1
end
for j = 1, r do
  local interval = tonumber(ARGV[arg + 2 * (j - 1)])
  local tolerance = tonumber(ARGV[arg + 2 * (j - 1) + 1])
  answer[#answer + 1] = math.floor((now + tolerance - tats[j]) / interval) + 1
  answer[#answer + 1] = tats[j] - now
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[2], ttl * 10)
  redis.call('ZADD', KEYS[1], now + ttl, id)
end
return answer
