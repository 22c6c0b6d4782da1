-- presence: renews an instance's presence lease and, with sync, sets its
-- stream counts exactly; lapsed instances' streams go.
-- KEYS: state, players, presence, streams, leases, log, answers prefix.
-- ARGV: instance, lease ms, sync (1: set the counts), log size, then pairs
-- of member id (a player's, or HOST_MEMBER) and stream count.
-- Returns whether the instance's own lease had lapsed (or never existed),
-- and 1 when every connected player has answered the open question.
local t = now()
if ARGV[3] ~= '1' then
  -- A renewal alone, with every lease current (an instance renews every
  -- room it has streams in, every few seconds): nobody is judged, no
  -- count changes, so only the instance's lease is written, without
  -- loading the state. The leases hash exists (it holds the instance), so
  -- it keeps the expiry a room that is over gave it.
  local leases = redis.call('HGETALL', KEYS[5])
  local mine, current = false, true
  for i = 1, #leases, 2 do
    if tonumber(leases[i + 1]) <= t then
      current = false
    elseif leases[i] == ARGV[1] then
      mine = true
    end
  end
  if mine and current and redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('HSET', KEYS[5], ARGV[1], int(t + tonumber(ARGV[2])))
    return {'ok', 0, 0}
  end
end
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
answersPrefix = KEYS[7]
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
