-- lease: takes the room's timer lease for an owner, when it is free, the
-- owner's already, or held by ARGV[2], an owner the caller found dead. The
-- lease has no expiry of its own: it lasts while its owner's heartbeat
-- does (beat.lua).
-- KEYS: state, lease. ARGV: owner, dead owner or ''.
-- Returns 1 when granted, and the holder before.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] and holder ~= ARGV[2] then
  return {'ok', 0, holder}
end
if holder ~= ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1])
end
return {'ok', 1, holder or ''}
