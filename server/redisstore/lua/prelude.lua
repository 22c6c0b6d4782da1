-- Shared by every script (the Go side prepends the constants of the game
-- rules: phases, kinds, event types, refusals, scoring). Times are whole
-- milliseconds of the Redis clock.

-- now reads the Redis clock, so every instance measures alike.
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- clock returns a function that reads the Redis clock (now) the first
-- time it is called and returns the same time after: a script that may
-- need the time reads it only when it does.
local function clock()
  local t = nil
  return function()
    if not t then
      t = now()
    end
    return t
  end
end

-- int formats a whole number for Redis: no exponent, no fraction.
local function int(n)
  return string.format('%d', n)
end

-- NUMERIC names the state fields that hold numbers; the others (host,
-- kinds) are strings.
local NUMERIC = {
  v = true, seq = true, ph = true, q = true, op = true, dl = true, pp = true, pa = true,
  lk = true, pl = true, an = true, wt = true, pd = true, tc = true, pg = true, n = true,
  mx = true, nq = true, ex = true, lost = true, hs = true, ha = true, au = true, rp = true,
  rj = true,
}

-- PRESENCE_FIELDS are the state fields the presence scripts may change.
local PRESENCE_FIELDS = {'wt', 'hs', 'ha', 'au', 'dl', 'seq', 'tc'}

-- load reads a room's state hash, or nil when the room does not exist.
local function load(key)
  local raw = redis.call('HGETALL', key)
  if #raw == 0 then
    return nil
  end
  local s = {}
  for i = 1, #raw, 2 do
    local v = raw[i + 1]
    if NUMERIC[raw[i]] then
      v = tonumber(v)
    end
    s[raw[i]] = v
  end
  -- Rooms created before the host's presence was kept lack its fields.
  s.hs, s.ha, s.au = s.hs or 0, s.ha or 0, s.au or 0
  return s
end

-- save writes the named fields of state s.
local function save(key, s, fields)
  local args = {}
  for _, f in ipairs(fields) do
    args[#args + 1] = f
    if NUMERIC[f] then
      args[#args + 1] = int(s[f])
    else
      args[#args + 1] = s[f]
    end
  end
  redis.call('HSET', key, unpack(args))
end

-- emit appends event ev to the room's log as entry <seq>-0 at time t,
-- keeping about maxlen entries; s.seq and s.tc move on with it. It
-- announces the new seq on the channel named like the log, which the
-- instances waiting on the room subscribe to, with the event itself
-- ("<seq> <event>"), so that a reader that had every event before it
-- need not read the log.
local function emit(log, s, t, maxlen, ev)
  s.seq = s.seq + 1
  s.tc = t
  ev.ts = int(t)
  local e = cjson.encode(ev)
  redis.call('XADD', log, 'MAXLEN', '~', maxlen, int(s.seq) .. '-0', 'e', e)
  redis.call(PUBLISH, log, int(s.seq) .. ' ' .. e)
end

-- ping tells the room's owner, on the channel named like the log, that it
-- has work no event announced (a roster change or answers to count): the
-- message is "p", the seq, so the readers of the log read nothing, and
-- what pends, so that the owner need not read the state to know: "r" a
-- roster change, "a" answers. It is sent only when such work starts to
-- pend, not for every change.
local function ping(log, s)
  local what = ''
  if s.rp == 1 then
    what = 'r'
  end
  if s.ph == PHASE_QUESTION and s.an ~= s.pg then
    what = what .. 'a'
  end
  redis.call(PUBLISH, log, 'p' .. int(s.seq) .. what)
end

-- over reports whether the game is finished or the room closed.
local function over(s)
  return s.ph == PHASE_FINISHED or s.ph == PHASE_CLOSED
end

-- questionOpen reports whether the current question is open or paused:
-- streams count towards the waiting players in both.
local function questionOpen(s)
  return s.ph == PHASE_QUESTION or (s.ph == PHASE_PAUSED and s.pp == PHASE_QUESTION)
end

-- BATCH is how many arguments one command of a batch takes at most: Lua's
-- unpack has a limit, and a huge command would stall Redis as long.
local BATCH = 2000

-- batched runs command cmd on key with args, BATCH arguments (a whole
-- number of groups of size per) at a time: one command for most rooms.
-- It returns the replies appended, for HMGET.
local function batched(cmd, key, args, per)
  local out = {}
  local step = BATCH - BATCH % per
  for i = 1, #args, step do
    local part = {}
    for j = i, math.min(i + step - 1, #args) do
      part[#part + 1] = args[j]
    end
    local r = redis.call(cmd, key, unpack(part))
    if type(r) == 'table' then
      for _, v in ipairs(r) do
        out[#out + 1] = v
      end
    end
  end
  return out
end

-- player reads a player's record, or nil.
local function player(players, id)
  local raw = redis.call('HGET', players, id)
  if not raw then
    return nil
  end
  return cjson.decode(raw)
end

-- answersPrefix names the answer hashes of the room (the key
-- "<room>:answers:", same slot); scripts that ask answeredCurrent set it.
local answersPrefix = nil

-- answeredCurrent reports whether player id answered the current question.
local function answeredCurrent(s, id)
  return s.q >= 0 and redis.call('HEXISTS', answersPrefix .. s.q, id) == 1
end

-- rankScore is a player's score in the ranking sorted set: ascending order
-- is rank order (higher points, then less correct time; ties fall to the
-- member, the player id, which sorts in join order). Exact in a double
-- while points < 2^22 and correct time < 2^31 ms.
local function rankScore(p)
  return int(-p.sc * 2147483648 + p.ct)
end

-- newState writes the state hash of a new room in the lobby at time t.
local function newState(key, t, host, maxPlayers, questions, kinds, epoch)
  redis.call('HSET', key,
    'v', 0, 'seq', 0, 'ph', PHASE_LOBBY, 'q', -1, 'op', 0, 'dl', 0, 'pp', 0, 'pa', 0,
    'lk', 0, 'pl', 0, 'an', 0, 'wt', 0, 'pd', 0, 'tc', int(t), 'pg', 0, 'n', 0, 'ex', 0,
    'mx', maxPlayers, 'nq', questions, 'kinds', kinds, 'host', host, 'ep', epoch, 'lost', 0,
    'hs', 0, 'ha', 0, 'au', 0, 'rj', 0)
end

-- depart makes active player p inactive: one player fewer, their streams no
-- longer count, and they leave the ranking.
local function depart(s, p, id, presence, rank, streams, leases)
  s.pl = s.pl - 1
  for _, instance in ipairs(redis.call('HKEYS', leases)) do
    redis.call('HDEL', streams, instance .. '/' .. id)
  end
  if tonumber(redis.call('HGET', presence, id) or '0') > 0 then
    redis.call('HDEL', presence, id)
    if questionOpen(s) and not answeredCurrent(s, id) then
      s.wt = s.wt - 1
    end
  end
  redis.call('ZREM', rank, id)
end

-- waitingMoved keeps s.wt in step with player id's streams over every
-- instance going from before to after: a player who gets a first stream
-- waits for the open question (unless they answered it), one whose last
-- stream goes stops waiting. It returns true when the player stopped
-- waiting. Whether they answered is asked only when one of those happened.
local function waitingMoved(s, id, before, after)
  if (before > 0) == (after > 0) or not questionOpen(s) or answeredCurrent(s, id) then
    return false
  end
  if after > 0 then
    s.wt = s.wt + 1
    return false
  end
  s.wt = s.wt - 1
  return true
end

-- held reports whether the room shows a reveal or a leaderboard, paused
-- or not: the phases AUTO pacing holds for a time.
local function held(s)
  local p = s.ph
  if p == PHASE_PAUSED then
    p = s.pp
  end
  return p == PHASE_REVEAL or p == PHASE_LEADERBOARD
end

-- hostMoved keeps the host's total over every instance (s.hs) in step
-- with their streams on one instance going from had to n. The host going
-- from some streams to none in a room that is not over is away (s.ha); an
-- away host with a stream again is back and takes the pacing back from
-- AUTO pacing (a hold it set is dropped). Each appends EVENT_HOST to log
-- at the time at() reads (see clock).
local function hostMoved(s, had, n, log, at, maxlen)
  local before = s.hs
  s.hs = math.max(before + n - had, 0)
  if over(s) then
    return
  end
  if before > 0 and s.hs == 0 then
    s.ha = at()
    emit(log, s, at(), maxlen, {t = EVENT_HOST, aw = true, ph = s.ph})
  elseif before == 0 and s.hs > 0 and s.ha ~= 0 then
    if s.au == 1 and held(s) then
      s.dl = 0
    end
    s.ha, s.au = 0, 0
    emit(log, s, at(), maxlen, {t = EVENT_HOST, ph = s.ph})
  end
end

-- memberMoved keeps the totals in step with member id's streams on one
-- instance going from had to n (the caller wrote n): the host's (see
-- hostMoved), or an active player's total over every instance (presence,
-- changed by HINCRBY: no field for none) and s.wt. It returns true when a
-- player stopped waiting.
local function memberMoved(s, id, had, n, presence, log, at, maxlen)
  if n == had then
    return false
  end
  if id == HOST_MEMBER then
    hostMoved(s, had, n, log, at, maxlen)
    return false
  end
  local after = redis.call('HINCRBY', presence, id, n - had)
  local before = after - (n - had)
  if after <= 0 then
    redis.call('HDEL', presence, id)
    after = 0
  end
  return waitingMoved(s, id, before, after)
end

-- setMember makes the count of member id's streams on instance n (field
-- instance/id of streams): the host's or an active player's, keeping their
-- totals in step (memberMoved); other members' counts are dropped. It
-- returns true when a player stopped waiting.
local function setMember(s, id, instance, n, players, presence, streams, log, at, maxlen)
  local field = instance .. '/' .. id
  if id ~= HOST_MEMBER then
    local p = player(players, id)
    if not p or p.s ~= 'a' then
      redis.call('HDEL', streams, field)
      return false
    end
  end
  local had = tonumber(redis.call('HGET', streams, field) or '0')
  if n == had then
    return false
  end
  if n == 0 then
    redis.call('HDEL', streams, field)
  else
    redis.call('HSET', streams, field, n)
  end
  return memberMoved(s, id, had, n, presence, log, at, maxlen)
end

-- MARKED is added to an epoch in the leases hash: a lease at or above it
-- is an epoch, one below it a time (an older version's lease, renewed per
-- room), so each version reads the other's right: an older version finds
-- an epoch far in the future, never lapsed.
local MARKED = 1000000000000000

-- expire drops the streams of every instance the caller found dead (dead:
-- instance → the lease it had then, an epoch plus MARKED) that has not
-- counted streams here under a later epoch since, as if they had
-- disconnected (the host's too: see hostMoved, which may append to log);
-- and of an older version's instance whose lease (a time) lapsed by at().
-- Only an instance whose own lease is current judges (judge), as
-- alive.lua says: otherwise those leases get until at() + ttl. It returns
-- true when a player stopped waiting, and whether the leases hash existed.
local function expire(s, at, players, presence, streams, leases, dead, judge, ttl, log, maxlen)
  local raw = redis.call('HGETALL', leases)
  local gone, any = {}, false
  for i = 1, #raw, 2 do
    local id, v = raw[i], tonumber(raw[i + 1])
    if v >= MARKED then
      if dead[id] and v <= dead[id] then
        gone[id], any = true, true
      end
    elseif v <= at() then
      if judge then
        gone[id], any = true, true
      else
        redis.call('HSET', leases, id, int(at() + ttl))
      end
    end
  end
  if not any then
    return false, #raw > 0
  end
  for id in pairs(gone) do
    redis.call('HDEL', leases, id)
  end
  local stopped = false
  local all = redis.call('HGETALL', streams)
  for i = 1, #all, 2 do
    local instance, id = string.match(all[i], '^(.*)/([^/]*)$')
    if gone[instance] then
      stopped = setMember(s, id, instance, 0, players, presence, streams, log, at, maxlen) or stopped
    end
  end
  return stopped, #raw > 0
end

-- allAnswered is 1 when the open question can close early: a player
-- stopped waiting and nobody connected is left to answer; else 0.
local function allAnswered(s, stopped)
  if stopped and s.ph == PHASE_QUESTION and s.wt == 0 and s.an > 0 then
    return 1
  end
  return 0
end

-- retain gives keys written after the room finished the room's expiry, so
-- that no part of it outlives the rest.
local function retain(s, ...)
  if s.ex and s.ex > 0 then
    for _, key in ipairs({...}) do
      redis.call('PEXPIREAT', key, int(s.ex))
    end
  end
end

-- div is floor(a / b) for whole a >= 0 and b > 0, exact however the
-- division rounds.
local function div(a, b)
  local q = math.floor(a / b)
  if q * b > a then
    q = q - 1
  elseif (q + 1) * b <= a then
    q = q + 1
  end
  return q
end

-- credit is game.creditPoints: round(P × credit × (1 − (t/T)/2)) under
-- Speed (full credit under FULL_POINTS_MS), round(P × credit) under
-- Accuracy, halves rounded up, in whole numbers.
local function credit(policy, points, limit, elapsed, num, den)
  local n, d = points * num, den
  if policy == POLICY_SPEED and elapsed >= FULL_POINTS_MS and limit > 0 then
    n = n * (2 * limit - elapsed)
    d = d * 2 * limit
  end
  return div(2 * n + d, 2 * d)
end

-- score is game.Scoring.Score: it returns the points (negative for a
-- penalty), the streak bonus and the streak after the answer.
local function score(policy, bonus, penalty, points, limit, elapsed, kind, correct, wrong, num, den, streak)
  if kind == KIND_POLL then
    return 0, 0, streak
  end
  if not correct then
    if num > 0 then
      return credit(policy, points, limit, elapsed, num, den), 0, 0
    elseif wrong then
      return -div(penalty * points, STANDARD_POINTS), 0, 0
    end
    return 0, 0, 0
  end
  local b = 0
  if bonus and points > 0 then
    b = math.min(STREAK_STEP * streak, STREAK_CAP)
  end
  return credit(policy, points, limit, elapsed, num, den), b, streak + 1
end

-- streakBefore is game.StreakBefore.
local function streakBefore(streak, streakQ, prev)
  if streakQ == prev and prev >= 0 then
    return streak
  end
  return 0
end

-- addStreams counts delta more streams (fewer when negative) of member id
-- on instance, as setMember sets them: the host's or an active player's
-- (active says which: one in the ranking), keeping their totals in step.
-- The count changes by HINCRBY, which says what it was. It returns true
-- when a player stopped waiting.
local function addStreams(s, id, instance, delta, active, presence, streams, log, at, maxlen)
  local field = instance .. '/' .. id
  if not active then
    redis.call('HDEL', streams, field)
    return false
  end
  local n = redis.call('HINCRBY', streams, field, delta)
  local had = n - delta
  if n <= 0 then
    redis.call('HDEL', streams, field)
    n = 0
  end
  return memberMoved(s, id, had, n, presence, log, at, maxlen)
end

-- flat lists state s as HGETALL lists its hash, for a script that returns
-- the state it saved (every field it changed) without reading it back.
local function flat(s)
  local out = {}
  for f, v in pairs(s) do
    out[#out + 1] = f
    if NUMERIC[f] then
      out[#out + 1] = int(v)
    else
      out[#out + 1] = v
    end
  end
  return out
end
