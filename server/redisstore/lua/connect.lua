-- connect: counts one of a player's (or the host's) streams on an
-- instance in or out, under the instance's presence lease (its epoch:
-- alive.lua); with instances the caller found dead, drops their streams
-- first (expire).
-- KEYS: state, players, presence, streams, leases, log, answers prefix,
-- rank.
-- ARGV: member id, instance, delta, lease (epoch + MARKED), log size,
-- require active (1: refuse a player who is not, changing nothing), judge
-- (1: the caller's lease is current), lease ms, state (1: return the
-- state), then pairs of a dead instance and its lease then.
-- Returns 1 when, after a disconnect, every connected player has answered
-- the open question; with state, the time and the state after the change,
-- as the state script returns them.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local active = ARGV[1] == HOST_MEMBER or redis.call('ZSCORE', KEYS[8], ARGV[1]) ~= false
if not active and ARGV[6] == '1' then
  return {'gone'}
end
answersPrefix = KEYS[7]
local at = clock()
local wt, hs, seq = s.wt, s.hs, s.seq
local stopped = false
if #ARGV > 9 then
  local dead = {}
  for i = 10, #ARGV, 2 do
    dead[ARGV[i]] = tonumber(ARGV[i + 1])
  end
  stopped = expire(s, at, KEYS[2], KEYS[3], KEYS[4], KEYS[5], dead, ARGV[7] == '1', tonumber(ARGV[8]), KEYS[6], ARGV[5])
end
-- A new field may have made the hash: then it gets the room's expiry.
local added = redis.call('HSET', KEYS[5], ARGV[2], ARGV[4])
local delta = tonumber(ARGV[3])
stopped = addStreams(s, ARGV[1], ARGV[2], delta, active, KEYS[3], KEYS[4], KEYS[6], at, ARGV[5]) or stopped
if s.wt ~= wt or s.hs ~= hs or s.seq ~= seq then
  save(KEYS[1], s, PRESENCE_FIELDS)
end
-- Counting a stream out creates no key that lasts (a count that reaches
-- 0 goes): only a stream counted in, or a new lease, may need the
-- expiry of a room that is over.
if delta > 0 then
  retain(s, KEYS[3], KEYS[4], KEYS[5])
elseif added == 1 then
  retain(s, KEYS[5])
end
if ARGV[9] == '1' then
  return {'ok', allAnswered(s, stopped), int(at()), flat(s)}
end
return {'ok', allAnswered(s, stopped)}
