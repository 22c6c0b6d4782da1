-- advance: moves the room if its version is still ARGV[1] (room.Transition).
-- KEYS: state, log, players, rank, presence, answers of question q, then,
-- to finish or close, every other key of the room (they all expire).
-- ARGV: version, to, resume, q, read ms, limit ms, hold ms, options,
-- reason, retain ms, log size, auto (1: put the game on AUTO pacing for an
-- away host), auto hold ms, board (1: return the scoreboard the move left:
-- the ranking, every player and, for a reveal, the question's answers).
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if s.v ~= tonumber(ARGV[1]) then
  return {'conflict', s.v}
end
local to, resume, q = tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4])
local hold = tonumber(ARGV[7])
local t = now()
local events = {}
local expire = false
-- revealed: the answers a reveal applied (id, answer pairs); reveal_at:
-- where each player's record is in everyone.
local revealed, reveal_at = nil, nil

local auto = ARGV[12] == '1'
local board = ARGV[14] == '1'
-- The players as the move leaves them, for the board: id, record pairs.
local everyone = nil
if hold <= 0 and s.au == 1 then
  hold = tonumber(ARGV[13])
end

-- holdUntil is the deadline of a reveal or leaderboard: now+hold, or none.
local function holdUntil()
  if hold > 0 then
    return t + hold
  end
  return 0
end

-- unpause ends a pause at t, shifting the phase's times by its length,
-- and returns its event.
local function unpause()
  local shift = t - s.pa
  if s.op ~= 0 then
    s.op = s.op + shift
  end
  if s.dl ~= 0 then
    s.dl = s.dl + shift
  end
  s.ph, s.pp, s.pa = s.pp, 0, 0
  return {t = EVENT_RESUMED, ph = s.ph, op = int(s.op), dl = int(s.dl)}
end

-- reveal applies question q's answers to the totals and the ranking, and
-- counts them.
local function reveal()
  local kind = tonumber(string.sub(s.kinds, q + 1, q + 1))
  local counts = {}
  for i = 1, tonumber(ARGV[8]) do
    counts[i] = 0
  end
  local answered, correct = 0, 0
  local raw = redis.call('HGETALL', KEYS[6])
  -- One HMGET of every answering player, one HSET of the answers as
  -- applied, one of the players, one ZADD of the ranks that moved:
  -- batched, not per answer.
  local ids = {}
  for i = 1, #raw, 2 do
    ids[#ids + 1] = raw[i]
  end
  local recs = {}
  if board then
    -- The board lists every player: read them all, once.
    everyone = redis.call('HGETALL', KEYS[3])
    local at = {}
    for i = 1, #everyone, 2 do
      at[everyone[i]] = i + 1
    end
    for i, id in ipairs(ids) do
      recs[i] = everyone[at[id]]
    end
    reveal_at = at
  elseif #ids > 0 then
    recs = batched('HMGET', KEYS[3], ids, 1)
  end
  -- The scoring submit kept once for question q (s.sr, "q:rule"), for the
  -- answers that carry none of their own; cleared, being used up.
  local stored = nil
  if s.sr and s.sr ~= '' then
    local sq, rule = string.match(s.sr, '^(%-?%d+):(.*)$')
    if tonumber(sq) == q then
      stored, s.sr = rule, ''
    end
  end
  local answers, players, ranks = {}, {}, {}
  -- A scoring rule's numbers, parsed once per rule: the answers that carry
  -- none of their own all share the stored one.
  local rules = {}
  local function rule(text)
    local v = rules[text]
    if not v then
      v = {}
      for x in string.gmatch(text, '%-?%d+') do
        v[#v + 1] = tonumber(x)
      end
      rules[text] = v
    end
    return v
  end
  for i = 1, #raw, 2 do
    local id, a = raw[i], cjson.decode(raw[i + 1])
    answered = answered + 1
    for c in string.gmatch(a.ch, '%d+') do
      local k = tonumber(c) + 1
      if counts[k] then
        counts[k] = counts[k] + 1
      end
    end
    local p = cjson.decode(recs[(i + 1) / 2])
    -- Scored now, with the streak the player has after the questions
    -- before: by the question's scoring, or the answer's own (an answer
    -- kept by an older submit carries it field by field, or was scored
    -- then, the same way).
    local fresh = not a.p
    if fresh then
      local k, pt, li, pv, po, bo, pe
      if a.pt then
        k, pt, li, pv, po, bo, pe = a.k, a.pt, a.li, a.pv, a.po, a.bo, a.pe
      else
        local v = rule(a.r or stored)
        k, pt, li, pv, po, bo, pe = v[1], v[2], v[3], v[4], v[5], v[6] == 1, v[7]
      end
      local points, bonus, streak = score(po, bo, pe, pt, li, a.e, k, a.ok, a.w, a.nu, a.de,
        streakBefore(p.st, p.sq, pv))
      a.p, a.b, a.s = points + bonus, bonus, streak
    end
    local sc, ct = p.sc, p.ct
    local total = math.max(p.sc + a.p, 0)
    a.p = total - p.sc
    p.sc = total
    if a.ok then
      correct = correct + 1
      p.ct = p.ct + a.e
      p.cn = p.cn + 1
    end
    if kind ~= KIND_POLL then
      p.st, p.sq = a.s, q
    end
    local n = #answers
    answers[n + 1] = id
    if fresh then
      -- The record submit wrote gains the outcome at its end, instead of
      -- being encoded again: the scoring inputs it also keeps (w, nu, de,
      -- r, ...) are read by nobody once p is there.
      answers[n + 2] = string.sub(raw[i + 1], 1, -2) .. ',"p":' .. int(a.p) .. ',"b":' .. int(a.b) ..
        ',"s":' .. int(a.s) .. '}'
    else
      answers[n + 2] = cjson.encode(a)
    end
    players[n + 1], players[n + 2] = id, cjson.encode(p)
    if everyone then
      everyone[reveal_at[id]] = players[n + 2]
    end
    -- An active player's rank moves only when the score or the time of
    -- the correct answers did (a wrong answer without a penalty moves
    -- neither): ZADD only those.
    if p.s == 'a' and (p.sc ~= sc or p.ct ~= ct) then
      local r = #ranks
      ranks[r + 1], ranks[r + 2] = rankScore(p), id
    end
  end
  if #answers > 0 then
    batched('HSET', KEYS[6], answers, 2)
    batched('HSET', KEYS[3], players, 2)
  end
  if #ranks > 0 then
    batched('ZADD', KEYS[4], ranks, 2)
  end
  local ev = {t = EVENT_REVEALED, q = q, an = answered, co = correct, pl = s.pl}
  if #counts > 0 then
    ev.c = counts
  end
  return ev, answers
end

if not resume and not auto and to ~= PHASE_PAUSED then
  s.pp, s.pa = 0, 0
end
if auto then
  if s.ha == 0 or s.au == 1 or s.ph == PHASE_LOBBY or over(s) then
    return {'conflict', s.v}
  end
  if s.ph == PHASE_PAUSED then
    events[1] = unpause()
  end
  if held(s) and s.dl == 0 then
    s.dl = holdUntil()
  end
  s.au = 1
  events[#events + 1] = {t = EVENT_HOST, aw = true, au = true, ph = s.ph}
elseif resume then
  if s.ph ~= PHASE_PAUSED then
    return {'notpaused'}
  end
  events[1] = unpause()
elseif to == PHASE_QUESTION then
  if s.ph == PHASE_LOBBY then
    events[1] = {t = EVENT_STARTED, pl = s.pl}
  end
  s.ph, s.q = PHASE_QUESTION, q
  s.op = t + tonumber(ARGV[5])
  s.dl = s.op + tonumber(ARGV[6])
  s.an, s.pg = 0, 0
  s.wt = redis.call('HLEN', KEYS[5])
  events[#events + 1] = {t = EVENT_OPENED, q = q, op = int(s.op), dl = int(s.dl)}
elseif to == PHASE_REVEAL then
  events[1], revealed = reveal()
  s.ph, s.pd, s.dl = PHASE_REVEAL, s.pd + 1, holdUntil()
elseif to == PHASE_LEADERBOARD then
  s.ph, s.dl = PHASE_LEADERBOARD, holdUntil()
  events[1] = {t = EVENT_LEADERBOARD, q = q}
elseif to == PHASE_PAUSED then
  s.pp, s.pa, s.ph = s.ph, t, PHASE_PAUSED
  local remaining = 0
  if s.dl ~= 0 then
    remaining = math.max(s.dl - s.pa, 0)
  end
  events[1] = {t = EVENT_PAUSED, ph = s.pp, rm = remaining}
elseif to == PHASE_FINISHED then
  s.ph, s.dl, expire = PHASE_FINISHED, 0, true
  events[1] = {t = EVENT_FINISHED, q = s.q, pd = s.pd, pl = s.pl}
elseif to == PHASE_CLOSED then
  s.ph, s.dl, expire = PHASE_CLOSED, 0, true
  events[1] = {t = EVENT_CLOSED, r = ARGV[9]}
else
  return {'invalid'}
end
s.v = s.v + 1
for _, ev in ipairs(events) do
  emit(KEYS[2], s, t, ARGV[11], ev)
end
if expire then
  s.ex = t + tonumber(ARGV[10])
end
local fields = {'v', 'seq', 'ph', 'q', 'op', 'dl', 'pp', 'pa', 'an', 'wt', 'pd', 'tc', 'pg', 'ex', 'au'}
if s.sr then
  fields[#fields + 1] = 'sr'
end
save(KEYS[1], s, fields)
if expire then
  for _, key in ipairs(KEYS) do
    redis.call('PEXPIREAT', key, int(s.ex))
  end
end
if board then
  return {'ok', int(t), flat(s), redis.call('ZRANGE', KEYS[4], 0, -1), everyone or redis.call('HGETALL', KEYS[3]), revealed or {}}
end
return {'ok', int(t), flat(s)}
