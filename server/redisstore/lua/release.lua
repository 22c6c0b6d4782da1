-- release: gives up the lease if the owner holds it.
-- KEYS: state, lease. ARGV: owner.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return {'ok'}
