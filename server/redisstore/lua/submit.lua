-- submit: a batch of answers (concurrent Submit calls of one room, in the
-- order they came), all timed by one read of the Redis clock. It keeps
-- what the reveal scores each answer with, but reads no player record
-- (the streak the reveal uses only changes at a reveal): a player with a
-- stream counts as active (presence holds active players only), others are
-- looked up in the ranking (active players only).
-- KEYS: state, presence, rank, log, then the answers key of each rule.
-- ARGV: the number of rules; each rule (RULE values): q, grace ms, limit
-- ms, scoring ("kind points limit previous-scored-question policy bonus
-- penalty", as the reveal reads it); then each answer (ANSWER values): its
-- rule's number, player id, answer JSON, choices ("0,2"), correct, wrong,
-- credit numerator, credit denominator.
-- Reply: {'notfound'}, or 'ok' and an entry per answer, in order:
-- {'ok', elapsed, all answered, version}, {'refused', why, open question},
-- {'exists'} or {'denied'}.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local RULE, ANSWER = 4, 8
local rules = {}
for r = 1, tonumber(ARGV[1]) do
  local b = 1 + (r - 1) * RULE
  local q = tonumber(ARGV[b + 1])
  rules[r] = {
    q = q, grace = tonumber(ARGV[b + 2]), limit = tonumber(ARGV[b + 3]), scoring = ARGV[b + 4],
    key = KEYS[4 + r], tag = q .. ':' .. ARGV[b + 4],
  }
end
local first = 2 + #rules * RULE
local n = (#ARGV - first + 1) / ANSWER
local ids = {}
for i = 1, n do
  ids[i] = ARGV[first + (i - 1) * ANSWER + 1]
end
local presence = batched('HMGET', KEYS[2], ids, 1)
-- The first answer wins. One answer or two: HSETNX each, which checks and
-- stores in one command. More: one HMGET of the answers to the open
-- question says who answered before, and one HSET stores the new ones.
local bulk = n > 2
local answered, stored = {}, {}
if bulk then
  for _, r in ipairs(rules) do
    if s.ph == PHASE_QUESTION and r.q == s.q and not answered[r.key] then
      local had = batched('HMGET', r.key, ids, 1)
      answered[r.key], stored[r.key] = {}, {}
      for i = 1, n do
        if had[i] then
          answered[r.key][ids[i]] = true
        end
      end
    end
  end
end
local t = now()
local out = {'ok'}
local fields = {'an', 'wt', 'tc'}
local accepted, pinged = false, false
for i = 1, n do
  local b = first + (i - 1) * ANSWER
  local r, id = rules[tonumber(ARGV[b])], ids[i]
  local streams = tonumber(presence[i] or '0')
  -- room.CheckOpen, in its order.
  local why = 0
  if s.ph == PHASE_PAUSED and s.pp == PHASE_QUESTION then
    why = REFUSED_PAUSED
  elseif s.ph ~= PHASE_QUESTION then
    why = REFUSED_NOT_OPEN
  elseif s.q ~= r.q then
    why = REFUSED_OTHER
  elseif t < s.op then
    why = REFUSED_NOT_YET
  elseif t > s.dl + r.grace then
    why = REFUSED_LATE
  end
  if streams == 0 and not redis.call('ZSCORE', KEYS[3], id) then
    out[i + 1] = {'denied'}
  elseif why ~= 0 then
    out[i + 1] = {'refused', why, s.q}
  else
    local elapsed = math.min(t - s.op, r.limit)
    local a = {
      a = ARGV[b + 2], ch = ARGV[b + 3], ok = ARGV[b + 4] == '1', e = elapsed,
      w = ARGV[b + 5] == '1', nu = tonumber(ARGV[b + 6]), de = tonumber(ARGV[b + 7]),
    }
    -- The question's scoring is kept once, in the state (sr: the question
    -- and its rule; the reveal of that question clears it); an answer
    -- scored another way carries its own.
    if (s.sr or '') == '' then
      s.sr = r.tag
      fields[#fields + 1] = 'sr'
    end
    if s.sr ~= r.tag then
      a.r = r.scoring
    end
    local kept
    if bulk then
      kept = not answered[r.key][id]
      if kept then
        answered[r.key][id] = true
        local w = stored[r.key]
        w[#w + 1], w[#w + 2] = id, cjson.encode(a)
      end
    else
      kept = redis.call('HSETNX', r.key, id, cjson.encode(a)) == 1
    end
    if not kept then
      out[i + 1] = {'exists'}
    else
      accepted = true
      s.an = s.an + 1
      -- The first answer since the last progress event: the owner has one to append.
      pinged = pinged or s.an == s.pg + 1
      local all = 0
      if streams > 0 then
        s.wt = s.wt - 1
        if s.wt == 0 then
          all = 1
        end
      end
      out[i + 1] = {'ok', elapsed, all, s.v}
    end
  end
end
for key, w in pairs(stored) do
  if #w > 0 then
    batched('HSET', key, w, 2)
  end
end
if accepted then
  s.tc = t
  save(KEYS[1], s, fields)
  if pinged then
    ping(KEYS[4], s)
  end
end
return out
