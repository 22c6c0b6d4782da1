-- presence: renews an instance's presence lease and, with sync, sets its
-- stream counts exactly; lapsed instances' streams go.
-- KEYS: state, players, presence, streams, leases, log, answers prefix.
-- ARGV: instance, lease ms, sync (1: set the counts), log size, then pairs
-- of member id (a player's, or HOST_MEMBER) and stream count.
-- Returns whether the instance's own lease had lapsed (or never existed),
-- and 1 when every connected player has answered the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
answersPrefix = KEYS[7]
local t = now()
local wt, hs, seq = s.wt, s.hs, s.seq
local instance = ARGV[1]
local lapsed = 0
if tonumber(redis.call('HGET', KEYS[5], instance) or '0') <= t then
  lapsed = 1
end
local stopped = expire(s, t, KEYS[2], KEYS[3], KEYS[4], KEYS[5], instance, tonumber(ARGV[2]), KEYS[6], ARGV[4])
redis.call('HSET', KEYS[5], instance, int(t + tonumber(ARGV[2])))
if ARGV[3] == '1' then
  local want = {}
  for i = 5, #ARGV, 2 do
    want[ARGV[i]] = math.max(tonumber(ARGV[i + 1]), 0)
  end
  local prefix = instance .. '/'
  local all = redis.call('HGETALL', KEYS[4])
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, #prefix) == prefix then
      local id = string.sub(all[i], #prefix + 1)
      if not want[id] then
        want[id] = 0
      end
    end
  end
  for id, n in pairs(want) do
    stopped = setMember(s, id, instance, n, KEYS[2], KEYS[3], KEYS[4], KEYS[6], t, ARGV[4]) or stopped
  end
end
if s.wt ~= wt or s.hs ~= hs or s.seq ~= seq then
  save(KEYS[1], s, PRESENCE_FIELDS)
end
retain(s, KEYS[3], KEYS[4], KEYS[5])
return {'ok', lapsed, allAnswered(s, stopped)}
