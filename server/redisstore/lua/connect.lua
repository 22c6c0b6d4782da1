-- connect: counts one of a player's (or the host's) streams on an
-- instance in or out, and renews the instance's presence lease; lapsed
-- instances' streams go.
-- KEYS: state, players, presence, streams, leases, log, answers prefix,
-- rank.
-- ARGV: member id, instance, delta, lease ms, log size, require active
-- (1: refuse a player who is not, changing nothing).
-- Returns 1 when, after a disconnect, every connected player has answered
-- the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local active = ARGV[1] == HOST_MEMBER or redis.call('ZSCORE', KEYS[8], ARGV[1]) ~= false
if not active and ARGV[6] == '1' then
  return {'gone'}
end
answersPrefix = KEYS[7]
local t = now()
local wt, hs, seq = s.wt, s.hs, s.seq
local stopped = expire(s, t, KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[2], tonumber(ARGV[4]), KEYS[6], ARGV[5])
redis.call('HSET', KEYS[5], ARGV[2], int(t + tonumber(ARGV[4])))
stopped = addStreams(s, ARGV[1], ARGV[2], tonumber(ARGV[3]), active, KEYS[3], KEYS[4], KEYS[6], t, ARGV[5]) or stopped
if s.wt ~= wt or s.hs ~= hs or s.seq ~= seq then
  save(KEYS[1], s, PRESENCE_FIELDS)
end
retain(s, KEYS[3], KEYS[4], KEYS[5])
return {'ok', allAnswered(s, stopped)}
