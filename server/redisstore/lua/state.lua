-- state: a room's state and the clock, read together.
-- KEYS: state. Returns the time and the state hash.
local raw = redis.call('HGETALL', KEYS[1])
if #raw == 0 then
  return {'notfound'}
end
return {'ok', int(now()), raw}
