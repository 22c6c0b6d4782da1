-- savedeck: keeps an uploaded deck's source; a no-op for a saved id.
-- KEYS: deck ids, the deck's source. ARGV: id, source, max decks.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return {'ok'}
end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return {'full'}
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
return {'ok'}
