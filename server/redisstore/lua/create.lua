-- create: a new room in the lobby.
-- KEYS: spec, state. ARGV: spec JSON, host token hash, max players,
-- question count, question kinds (one digit each), epoch.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'exists'}
end
redis.call('SET', KEYS[1], ARGV[1])
newState(KEYS[2], now(), ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return {'ok'}
