-- connect: counts a player's open streams up or down.
-- KEYS: state, players, presence. ARGV: player id, delta.
-- Returns 1 when, after a disconnect, every connected player has answered
-- the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local id = ARGV[1]
local p = player(KEYS[2], id)
if not p or p.s ~= 'a' then
  return {'ok', 0}
end
local before = tonumber(redis.call('HGET', KEYS[3], id) or '0')
local after = math.max(before + tonumber(ARGV[2]), 0)
if after == 0 then
  redis.call('HDEL', KEYS[3], id)
else
  redis.call('HSET', KEYS[3], id, after)
  retain(s, KEYS[3])
end
if not questionOpen(s) or answeredCurrent(s, p) then
  return {'ok', 0}
end
if before == 0 and after > 0 then
  s.wt = s.wt + 1
elseif before > 0 and after == 0 then
  s.wt = s.wt - 1
else
  return {'ok', 0}
end
save(KEYS[1], s, {'wt'})
if s.ph == PHASE_QUESTION and s.wt == 0 and s.an > 0 then
  return {'ok', 1}
end
return {'ok', 0}
