-- lost: closes a room whose history was lost, with a new epoch; a room
-- that is gone is created again in that state. Marking it again changes
-- nothing.
-- KEYS: spec, state, log, then every other key of the room (all expire).
-- ARGV: spec JSON, host token hash, max players, question count, question
-- kinds, new epoch, reason, retain ms, log size.
local t = now()
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1])
  newState(KEYS[2], t, ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
end
local s = load(KEYS[2])
if s.lost ~= 1 then
  s.lost, s.ep, s.v = 1, ARGV[6], s.v + 1
  s.ph, s.dl, s.pp, s.pa = PHASE_CLOSED, 0, 0, 0
  emit(KEYS[3], s, t, ARGV[9], {t = EVENT_CLOSED, r = ARGV[7], lost = true})
  s.ex = t + tonumber(ARGV[8])
  save(KEYS[2], s, {'v', 'seq', 'ph', 'dl', 'pp', 'pa', 'tc', 'ex', 'lost', 'ep'})
  for _, key in ipairs(KEYS) do
    redis.call('PEXPIREAT', key, int(s.ex))
  end
end
return {'ok', int(t), redis.call('HGETALL', KEYS[2])}
