-- connect: counts one of a player's streams on an instance in or out, and
-- renews the instance's presence lease; lapsed instances' streams go.
-- KEYS: state, players, presence, streams, leases, answers prefix.
-- ARGV: player id, instance, delta, lease ms.
-- Returns 1 when, after a disconnect, every connected player has answered
-- the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
answersPrefix = KEYS[6]
local t = now()
local wt = s.wt
local stopped = expire(s, t, KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[2], tonumber(ARGV[4]))
redis.call('HSET', KEYS[5], ARGV[2], int(t + tonumber(ARGV[4])))
local id = ARGV[1]
local p = player(KEYS[2], id)
if p and p.s == 'a' then
  local had = tonumber(redis.call('HGET', KEYS[4], ARGV[2] .. '/' .. id) or '0')
  stopped = setStreams(s, p, id, ARGV[2], math.max(had + tonumber(ARGV[3]), 0), KEYS[3], KEYS[4], had) or stopped
end
if s.wt ~= wt then
  save(KEYS[1], s, {'wt'})
end
retain(s, KEYS[3], KEYS[4], KEYS[5])
return {'ok', allAnswered(s, stopped)}
