-- orphans: the rooms that may need an owner: those without one (created,
-- or released before their game ended) and those of owners whose
-- heartbeat lapsed. An owner that lapsed and holds nothing is forgotten.
-- KEYS: owners (sorted set), free (set), then the prefix of every owner's
-- set of rooms (same slot).
-- Returns pairs of room code and the owner it was listed under ('' for a
-- free room).
local out = {}
for _, code in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  out[#out + 1] = code
  out[#out + 1] = ''
end
for _, owner in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now())) do
  local rooms = redis.call('SMEMBERS', KEYS[3] .. owner)
  if #rooms == 0 then
    redis.call('ZREM', KEYS[1], owner)
  end
  for _, code in ipairs(rooms) do
    out[#out + 1] = code
    out[#out + 1] = owner
  end
end
return {'ok', out}
