-- flush: one roster event with the joins and departures since the last;
-- no roster change is pending after it (state field rp).
-- KEYS: state, joined, left, log, players. ARGV: limit, log size.
-- The joins are the players after join number rj (ids follow the join
-- counter), read from their records; joined is the list older versions
-- kept them in, read once for a room they made.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local limit = tonumber(ARGV[1])
-- listed keeps the last limit of n entries, which from(i) gives for i =
-- omitted + 1 .. n, and counts the rest.
local function listed(n, from)
  local omitted = math.max(n - limit, 0)
  if omitted == n then
    return nil, n
  end
  return from(omitted), omitted
end
-- newest lists the last limit players of a list and counts the rest.
local function newest(key)
  return listed(redis.call('LLEN', key), function(omitted)
    local list = {}
    for i, raw in ipairs(redis.call('LRANGE', key, omitted, -1)) do
      list[i] = cjson.decode(raw)
    end
    return list
  end)
end
local ev = {t = EVENT_ROSTER, pl = s.pl}
if s.rj then
  ev.j, ev.jo = listed(s.n - s.rj, function(omitted)
    local ids = {}
    for k = s.rj + omitted + 1, s.n do
      ids[#ids + 1] = string.format(PLAYER_ID, k)
    end
    local list = {}
    for i, raw in ipairs(redis.call('HMGET', KEYS[5], unpack(ids))) do
      list[i] = {id = ids[i], n = cjson.decode(raw).n}
    end
    return list
  end)
else
  ev.j, ev.jo = newest(KEYS[2])
end
ev.l, ev.lo = newest(KEYS[3])
local pending = s.rp == 1
s.rp, s.rj = 0, s.n
if ev.jo + #(ev.j or {}) + ev.lo + #(ev.l or {}) == 0 then
  if pending then
    save(KEYS[1], s, {'rp', 'rj'})
  end
  return {'ok', 0}
end
redis.call('DEL', KEYS[2], KEYS[3])
emit(KEYS[4], s, now(), ARGV[2], ev)
save(KEYS[1], s, {'seq', 'tc', 'rp', 'rj'})
return {'ok', s.seq}
