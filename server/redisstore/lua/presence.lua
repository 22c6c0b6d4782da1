-- presence: in one room, drops the streams of the instances the caller
-- found dead (expire) and, with sync, sets the caller's stream counts
-- exactly, under its lease (its epoch: alive.lua). The lease itself is
-- renewed once per instance, not here.
-- KEYS: state, players, presence, streams, leases, log, answers prefix.
-- ARGV: instance, lease (epoch + MARKED), lease ms, sync (1: set the
-- counts), log size, judge (1: the caller's lease is current), the number
-- of dead instances, then pairs of a dead instance and its lease then,
-- then pairs of member id (a player's, or HOST_MEMBER) and stream count.
-- Returns 1 when every connected player has answered the open question.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
answersPrefix = KEYS[7]
local at = clock()
local wt, hs, seq = s.wt, s.hs, s.seq
local instance = ARGV[1]
local dead = {}
local first = 8 + 2 * tonumber(ARGV[7])
for i = 8, first - 1, 2 do
  dead[ARGV[i]] = tonumber(ARGV[i + 1])
end
local stopped = expire(s, at, KEYS[2], KEYS[3], KEYS[4], KEYS[5], dead, ARGV[6] == '1', tonumber(ARGV[3]), KEYS[6], ARGV[5])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[5], instance, ARGV[2])
  local want = {}
  for i = first, #ARGV, 2 do
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
    stopped = setMember(s, id, instance, n, KEYS[2], KEYS[3], KEYS[4], KEYS[6], at, ARGV[5]) or stopped
  end
  retain(s, KEYS[3], KEYS[4], KEYS[5])
end
if s.wt ~= wt or s.hs ~= hs or s.seq ~= seq then
  save(KEYS[1], s, PRESENCE_FIELDS)
end
return {'ok', allAnswered(s, stopped)}
