-- beat: renews an owner's heartbeat, under which every room lease it holds
-- stays its own; or, with ARGV[2] = 0, reads whether it is current.
-- KEYS: the owners (sorted set: owner → when its heartbeat lapses, ms).
-- ARGV: owner, ttl ms (0: read only).
-- Returns 1 when the heartbeat had lapsed (or never was).
local t = now()
local until_ = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
local lapsed = 0
if until_ <= t then
  lapsed = 1
end
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], int(t + tonumber(ARGV[2])), ARGV[1])
end
return {'ok', lapsed}
