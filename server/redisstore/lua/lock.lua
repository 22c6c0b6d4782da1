-- lock: locks (ARGV[1] = 1) or unlocks the lobby.
-- KEYS: state, log. ARGV: locked, log size.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if s.ph ~= PHASE_LOBBY then
  return {'started'}
end
local locked = tonumber(ARGV[1])
if s.lk == locked then
  return {'ok', 0}
end
s.lk = locked
emit(KEYS[2], s, now(), ARGV[2], {t = EVENT_LOCKED, lk = locked == 1})
save(KEYS[1], s, {'lk', 'seq', 'tc'})
return {'ok', s.seq}
