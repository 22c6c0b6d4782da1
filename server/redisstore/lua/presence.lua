-- presence: renews an instance's presence lease and, with sync, sets its
-- stream counts exactly; lapsed instances' streams go.
-- KEYS: state, players, presence, streams, leases, answers prefix.
-- ARGV: instance, lease ms, sync (1: set the counts), then pairs of
-- player id and stream count.
-- Returns whether the instance's own lease had lapsed (or never existed),
-- and 1 when every connected player has answered the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
answersPrefix = KEYS[6]
local t = now()
local wt = s.wt
local instance = ARGV[1]
local lapsed = 0
if tonumber(redis.call('HGET', KEYS[5], instance) or '0') <= t then
  lapsed = 1
end
local stopped = expire(s, t, KEYS[2], KEYS[3], KEYS[4], KEYS[5], instance, tonumber(ARGV[2]))
redis.call('HSET', KEYS[5], instance, int(t + tonumber(ARGV[2])))
if ARGV[3] == '1' then
  local want = {}
  for i = 4, #ARGV, 2 do
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
    local p = player(KEYS[2], id)
    if p and p.s == 'a' then
      stopped = setStreams(s, p, id, instance, n, KEYS[3], KEYS[4]) or stopped
    else
      redis.call('HDEL', KEYS[4], prefix .. id)
    end
  end
end
if s.wt ~= wt then
  save(KEYS[1], s, {'wt'})
end
retain(s, KEYS[3], KEYS[4], KEYS[5])
return {'ok', lapsed, allAnswered(s, stopped)}
