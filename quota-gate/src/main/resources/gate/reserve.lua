-- The quota gate in one round trip: release expired reservations, apply rate limits (GCRA), then reserve
-- the worst-case amount of every metric or nothing at all. Every key carries the tenant's hash tag.
-- KEYS[1]      the tenant's reservations, a sorted set of reservation ids by expiry
-- KEYS[2]      this reservation's hash (counter key -> reserved amount)
-- KEYS[3]      the tenant's marker: its counters are known to this Redis (rebuilt from the ledger, or counted since)
-- KEYS[4..]    m quota counters, then r rate-limit keys
-- ARGV         ttl_ms, reservation_id, counter_expire_at_ms, m, r, mark (1: the counters are known, set the marker),
--              then per metric: amount, limit (-1: unlimited), then per rule: window_ms, interval_ms (ms per unit,
--              fractional for rules of many units), cost (units this request takes: 1, or its tokens)
-- Time is Redis's own (TIME): every replica's windows and expiries follow one clock.
-- Answers     {1, remaining per metric (-1: unlimited)..., then per rule: requests left, ms until full again,
--              then Redis's time (ms)}
--             {2, rule index, ms to wait}       a rate limit refused
--             {3, metric index, used, limit}    a quota refused
--             {4}                               a limited metric's counters are not known here (no marker, and
--                                               mark not set): nothing changed
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[1])
local id = ARGV[2]
local expire_at = tonumber(ARGV[3])
local m = tonumber(ARGV[4])
local r = tonumber(ARGV[5])

-- 0. a Redis that lost its data (restarted empty, flushed) lost the markers too: no quota is decided on counters
--    it may not hold, until the caller has seen that they were rebuilt
local limited = false
for i = 1, m do
  if tonumber(ARGV[6 + 2 * i]) >= 0 then limited = true end
end
if limited and redis.call('EXISTS', KEYS[3]) == 0 then
  if ARGV[6] ~= '1' then
    return {4}
  end
  redis.call('SET', KEYS[3], '1')
  redis.call('PEXPIREAT', KEYS[3], expire_at)
end

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

-- 2. rate limits (GCRA: a theoretical arrival time per key, advanced by cost x interval; a request is admitted
--    while that stays within one window of now, so a fresh key takes its whole allowance at once)
--    every rule must admit the request before any state changes
local tats = {}
local EPSILON = 0.01 -- ms: fractional intervals add up with rounding; a hundredth of a ms decides nothing
local rate_base = 3 + m
local arg = 7 + 2 * m
for j = 1, r do
  local window = tonumber(ARGV[arg + 3 * (j - 1)])
  local interval = tonumber(ARGV[arg + 3 * (j - 1) + 1])
  local cost = tonumber(ARGV[arg + 3 * (j - 1) + 2])
  local tat = tonumber(redis.call('GET', KEYS[rate_base + j]) or now)
  if tat < now then tat = now end
  local next_tat = tat + cost * interval
  if next_tat - window > now + EPSILON then
    return {2, j, math.ceil(next_tat - window - now)}
  end
  tats[j] = next_tat
end

-- 3. quotas: the worst case must fit under every limit
local used = {}
for i = 1, m do
  local amount = tonumber(ARGV[5 + 2 * i])
  local limit = tonumber(ARGV[6 + 2 * i])
  local current = tonumber(redis.call('GET', KEYS[3 + i]) or '0')
  if limit >= 0 and current + amount > limit then
    return {3, i, current, limit}
  end
  used[i] = current
end

-- 4. commit: advance the rate limits, hold the units, remember the reservation until it expires
for j = 1, r do
  local window = tonumber(ARGV[arg + 3 * (j - 1)])
  redis.call('SET', KEYS[rate_base + j], string.format('%.6f', tats[j]), 'PX', window)
end
local answer = {1}
for i = 1, m do
  local amount = tonumber(ARGV[5 + 2 * i])
  local limit = tonumber(ARGV[6 + 2 * i])
  local total = redis.call('INCRBY', KEYS[3 + i], amount)
  redis.call('PEXPIREAT', KEYS[3 + i], expire_at)
  if amount > 0 then
    redis.call('HSET', KEYS[2], KEYS[3 + i], amount)
  end
  answer[#answer + 1] = limit >= 0 and (limit - total) or -1
end
for j = 1, r do
  local window = tonumber(ARGV[arg + 3 * (j - 1)])
  local interval = tonumber(ARGV[arg + 3 * (j - 1) + 1])
  answer[#answer + 1] = math.floor((now + window - tats[j] + EPSILON) / interval)
  answer[#answer + 1] = math.ceil(tats[j] - now)
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  -- the hash lives as long as the counters: a sweep always finds what it holds, so no hold outlives its caller
  redis.call('PEXPIREAT', KEYS[2], expire_at)
  redis.call('ZADD', KEYS[1], now + ttl, id)
  redis.call('PEXPIREAT', KEYS[1], expire_at)
end
answer[#answer + 1] = now
return answer
