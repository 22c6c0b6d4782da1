-- submit: a player's answer to the open question, timed by the Redis
-- clock. It keeps what the reveal scores the answer with (the player's
-- streak then, which only a reveal changes), so it reads no player record:
-- a player with a stream counts as active (presence holds active players
-- only), others are looked up in the ranking (active players only).
-- KEYS: state, presence, answers of question q, rank, log.
-- ARGV: player id, q, answer JSON, choices ("0,2"), correct, wrong,
-- credit numerator, credit denominator, kind, points, limit ms,
-- previous scored question, policy, streak bonus, penalty, grace ms.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local id = ARGV[1]
local streams = tonumber(redis.call('HGET', KEYS[2], id) or '0')
if streams == 0 and not redis.call('ZSCORE', KEYS[4], id) then
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
local limit = tonumber(ARGV[11])
local elapsed = math.min(t - s.op, limit)
-- The first answer wins: HSETNX checks and stores in one command.
local kept = redis.call('HSETNX', KEYS[3], id, cjson.encode({
  a = ARGV[3], ch = ARGV[4], ok = ARGV[5] == '1', e = elapsed,
  -- To score it at the reveal (game.Scoring.Score's inputs):
  w = ARGV[6] == '1', nu = tonumber(ARGV[7]), de = tonumber(ARGV[8]), k = tonumber(ARGV[9]),
  pt = tonumber(ARGV[10]), li = limit, pv = tonumber(ARGV[12]), po = tonumber(ARGV[13]),
  bo = ARGV[14] == '1', pe = tonumber(ARGV[15]),
}))
if kept == 0 then
  return {'exists'}
end
s.an = s.an + 1
s.tc = t
local all = 0
if streams > 0 then
  s.wt = s.wt - 1
  if s.wt == 0 then
    all = 1
  end
end
save(KEYS[1], s, {'an', 'wt', 'tc'})
if s.an == s.pg + 1 then
  -- The first answer since the last progress event: the owner has one to append.
  ping(KEYS[5], s)
end
return {'ok', elapsed, all, s.v}
