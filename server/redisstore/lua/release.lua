-- release: gives up the lease if the owner holds it.
-- KEYS: state, lease. ARGV: owner.
-- Returns 1 when it did, and 1 when the room's game is over.
local ph = redis.call('HGET', KEYS[1], 'ph')
if not ph then
  return {'notfound'}
end
local released = 0
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  released = 1
end
local ended = 0
if tonumber(ph) == PHASE_FINISHED or tonumber(ph) == PHASE_CLOSED then
  ended = 1
end
return {'ok', released, ended}
