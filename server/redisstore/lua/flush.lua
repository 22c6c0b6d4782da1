-- flush: one roster event with the joins and departures since the last;
-- no roster change is pending after it (state field rp).
-- KEYS: state, joined, left, log. ARGV: limit, log size.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local limit = tonumber(ARGV[1])
-- newest lists the last limit players of a list and counts the rest.
local function newest(key)
  local n = redis.call('LLEN', key)
  if n == 0 then
    return nil, 0
  end
  local omitted = math.max(n - limit, 0)
  if omitted == n then
    return nil, n
  end
  local list = {}
  for i, raw in ipairs(redis.call('LRANGE', key, omitted, -1)) do
    list[i] = cjson.decode(raw)
  end
  return list, omitted
end
local ev = {t = EVENT_ROSTER, pl = s.pl}
ev.j, ev.jo = newest(KEYS[2])
ev.l, ev.lo = newest(KEYS[3])
local pending = s.rp == 1
s.rp = 0
if ev.jo + #(ev.j or {}) + ev.lo + #(ev.l or {}) == 0 then
  if pending then
    save(KEYS[1], s, {'rp'})
  end
  return {'ok', 0}
end
redis.call('DEL', KEYS[2], KEYS[3])
emit(KEYS[4], s, now(), ARGV[2], ev)
save(KEYS[1], s, {'seq', 'tc', 'rp'})
return {'ok', s.seq}
