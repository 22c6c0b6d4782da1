-- savedeck: keeps an uploaded deck's source for a while; saving a saved id
-- keeps its source and renews it. Expired decks do not count, and go.
-- KEYS: deck ids (sorted set: id → expiry ms), the deck's source.
-- ARGV: id, source, max decks, ttl ms.
-- Writes come after every read, the source first: Redis refuses a full
-- (maxmemory) script at its first write only if that write is one that
-- grows memory.
local t = now()
local expiry = int(t + tonumber(ARGV[4]))
local saved = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0') > t and redis.call('EXISTS', KEYS[2]) == 1
if saved then
  redis.call('ZADD', KEYS[1], expiry, ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], expiry)
else
  if redis.call('ZCOUNT', KEYS[1], '(' .. int(t), '+inf') >= tonumber(ARGV[3]) then
    return {'full'}
  end
  redis.call('SET', KEYS[2], ARGV[2], 'PXAT', expiry)
  redis.call('ZADD', KEYS[1], expiry, ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
return {'ok'}
