-- join: a new player.
-- KEYS: state, names, tokens, players, rank, log. The roster event lists
-- the players who joined after the last one by their join numbers (rj).
-- ARGV: name, name key, token hash.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if s.lost == 1 then
  return {'lost'}
end
if over(s) then
  return {'over'}
end
if s.lk == 1 then
  return {'locked'}
end
if s.pl >= s.mx then
  -- A taken name is said first, as the memory store does.
  if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
    return {'taken'}
  end
  return {'full', s.mx}
end
local id = string.format(PLAYER_ID, s.n + 1)
-- The name is checked and kept in one command.
if redis.call('HSETNX', KEYS[2], ARGV[2], id) == 0 then
  return {'taken'}
end
s.n = s.n + 1
s.pl = s.pl + 1
s.tc = now()
local pending = s.rp == 1
s.rp = 1
redis.call('HSET', KEYS[4], id, cjson.encode({n = ARGV[1], k = ARGV[2], s = 'a', j = s.n, sc = 0, ct = 0, cn = 0, st = 0, sq = -1}))
redis.call('HSET', KEYS[3], ARGV[3], id)
redis.call('ZADD', KEYS[5], 0, id)
save(KEYS[1], s, {'n', 'pl', 'tc', 'rp'})
if not pending then
  ping(KEYS[6], s)
end
return {'ok', id}
