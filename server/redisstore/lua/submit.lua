-- submit: a player's answer to the open question, timed by the Redis
-- clock, scored now and applied to the totals at the reveal.
-- KEYS: state, players, answers of question q, presence.
-- ARGV: player id, q, answer JSON, choices ("0,2"), correct, wrong,
-- credit numerator, credit denominator, kind, points, limit ms,
-- previous scored question, policy, streak bonus, penalty, grace ms.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local id = ARGV[1]
local p = player(KEYS[2], id)
if not p or p.s ~= 'a' then
  return {'denied'}
end
local q, grace = tonumber(ARGV[2]), tonumber(ARGV[16])
local t = now()
-- room.CheckOpen, in its order.
local why = 0
if s.ph == PHASE_PAUSED and s.pp == PHASE_QUESTION then
  why = REFUSED_PAUSED
elseif s.ph ~= PHASE_QUESTION then
  why = REFUSED_NOT_OPEN
elseif s.q ~= q then
  why = REFUSED_OTHER
elseif t < s.op then
  why = REFUSED_NOT_YET
elseif t > s.dl + grace then
  why = REFUSED_LATE
end
if why ~= 0 then
  return {'refused', why, s.q}
end
if redis.call('HEXISTS', KEYS[3], id) == 1 then
  return {'exists'}
end
local limit = tonumber(ARGV[11])
local elapsed = math.min(t - s.op, limit)
local correct = ARGV[5] == '1'
local points, bonus, streak = score(tonumber(ARGV[13]), ARGV[14] == '1', tonumber(ARGV[15]), tonumber(ARGV[10]), limit,
  elapsed, tonumber(ARGV[9]), correct, ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8]),
  streakBefore(p.st, p.sq, tonumber(ARGV[12])))
redis.call('HSET', KEYS[3], id, cjson.encode({a = ARGV[3], ch = ARGV[4], ok = correct, p = points + bonus, b = bonus, s = streak, e = elapsed}))
p.aq = q
redis.call('HSET', KEYS[2], id, cjson.encode(p))
s.an = s.an + 1
s.tc = t
local all = 0
if tonumber(redis.call('HGET', KEYS[4], id) or '0') > 0 then
  s.wt = s.wt - 1
  if s.wt == 0 then
    all = 1
  end
end
save(KEYS[1], s, {'an', 'wt', 'tc'})
return {'ok', elapsed, all, s.v}
