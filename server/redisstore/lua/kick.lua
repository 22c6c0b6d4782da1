-- kick: the host removes a player; the name stays taken.
-- KEYS: state, players, presence, rank, log, streams, leases, answers prefix.
-- ARGV: player id, log size.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local id = ARGV[1]
answersPrefix = KEYS[8]
local p = player(KEYS[2], id)
if not p or p.s ~= 'a' then
  return {'nobody'}
end
depart(s, p, id, KEYS[3], KEYS[4], KEYS[6], KEYS[7])
p.s = 'k'
redis.call('HSET', KEYS[2], id, cjson.encode(p))
emit(KEYS[5], s, now(), ARGV[2], {t = EVENT_KICKED, p = {id = id, n = p.n}, pl = s.pl})
save(KEYS[1], s, {'pl', 'wt', 'seq', 'tc'})
return {'ok', s.seq}
