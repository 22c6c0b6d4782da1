-- lease: takes or renews the room's timer lease for an owner.
-- KEYS: state, lease. ARGV: owner, ttl ms. Returns 1 when granted.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then
  return {'ok', 0}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {'ok', 1}
