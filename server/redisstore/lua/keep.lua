-- keep: makes every key of a room whose game is not over expire ARGV[1]
-- ms from now; a room that is over keeps its own expiry.
-- KEYS: state, spec, presence, streams, leases, log, players, names,
-- tokens, rank, left, joined, answers prefix.
-- Only the keys that may exist are named (PEXPIRE of a key that does
-- not exist does nothing, and costs a command): the log once there are
-- events, the players' keys once someone joined, the list of joins only
-- in a room an older version made (no rj), answers only to the questions
-- opened so far. Presence may exist from the start: the host may watch.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if over(s) then
  return {'ok'}
end
local keys = {KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]}
if s.seq > 0 then
  keys[#keys + 1] = KEYS[6]
end
if s.n > 0 then
  for i = 7, 11 do
    keys[#keys + 1] = KEYS[i]
  end
  if not s.rj then
    keys[#keys + 1] = KEYS[12]
  end
end
for q = 0, s.q do
  keys[#keys + 1] = KEYS[13] .. q
end
for _, key in ipairs(keys) do
  redis.call('PEXPIRE', key, ARGV[1])
end
return {'ok'}
