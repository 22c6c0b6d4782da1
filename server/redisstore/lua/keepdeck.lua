-- keepdeck: renews an uploaded deck that has not expired.
-- KEYS: deck ids (sorted set: id → expiry ms), the deck's source.
-- ARGV: id, ttl ms.
local t = now()
local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
if expiry <= t or redis.call('EXISTS', KEYS[2]) == 0 then
  return {'notfound'}
end
expiry = int(t + tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIREAT', KEYS[2], expiry)
return {'ok'}
