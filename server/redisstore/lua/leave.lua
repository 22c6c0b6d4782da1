-- leave: a player leaves; their name is free again.
-- KEYS: state, players, names, presence, rank, left, streams, leases,
-- answers prefix, log.
-- ARGV: player id.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local id = ARGV[1]
answersPrefix = KEYS[9]
local p = player(KEYS[2], id)
if not p or p.s ~= 'a' then
  return {'nobody'}
end
depart(s, p, id, KEYS[4], KEYS[5], KEYS[7], KEYS[8])
p.s = 'l'
redis.call('HSET', KEYS[2], id, cjson.encode(p))
redis.call('HDEL', KEYS[3], p.k)
redis.call('RPUSH', KEYS[6], cjson.encode({id = id, n = p.n}))
s.tc = now()
local pending = s.rp == 1
s.rp = 1
save(KEYS[1], s, {'pl', 'wt', 'tc', 'rp'})
if not pending then
  ping(KEYS[10], s)
end
retain(s, KEYS[6])
return {'ok'}
