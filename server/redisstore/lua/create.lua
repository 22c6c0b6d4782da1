-- create: a new room in the lobby.
-- KEYS: spec, state. ARGV: spec JSON, host token hash, max players,
-- question count, question kinds (one digit each).
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'exists'}
end
local t = now()
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2],
  'v', 0, 'seq', 0, 'ph', PHASE_LOBBY, 'q', -1, 'op', 0, 'dl', 0, 'pp', 0, 'pa', 0,
  'lk', 0, 'pl', 0, 'an', 0, 'wt', 0, 'pd', 0, 'tc', int(t), 'pg', 0, 'n', 0, 'ex', 0,
  'mx', ARGV[3], 'nq', ARGV[4], 'kinds', ARGV[5], 'host', ARGV[2])
return {'ok'}
