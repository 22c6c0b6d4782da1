-- progress: an answer progress event when the answered count changed.
-- KEYS: state, log. ARGV: log size.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if s.ph ~= PHASE_QUESTION or s.an == s.pg then
  return {'ok', 0}
end
s.pg = s.an
emit(KEYS[2], s, now(), ARGV[1], {t = EVENT_PROGRESS, q = s.q, an = s.an, pl = s.pl})
save(KEYS[1], s, {'pg', 'seq', 'tc'})
return {'ok', s.seq}
