-- roster: up to limit active players, the most recent first (limit 0: all).
-- Player ids follow the join counter, so it walks back from the newest,
-- reading the players a batch at a time (one HMGET each), only as many as
-- it lists and the departed among them.
-- KEYS: state, players. ARGV: limit.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local limit = tonumber(ARGV[1])
local out = {'ok', s.pl}
local listed = 0
local j = s.n
while j >= 1 and (limit == 0 or listed < limit) do
  local want = math.max(s.pl, 1)
  if limit > 0 then
    want = math.max(limit - listed, 1)
  end
  local ids = {}
  for k = j, math.max(j - math.min(want, 1000) + 1, 1), -1 do
    ids[#ids + 1] = string.format(PLAYER_ID, k)
  end
  j = j - #ids
  local raw = redis.call('HMGET', KEYS[2], unpack(ids))
  for i, id in ipairs(ids) do
    if raw[i] and (limit == 0 or listed < limit) then
      local p = cjson.decode(raw[i])
      if p.s == 'a' then
        out[#out + 1] = id
        out[#out + 1] = p.n
        listed = listed + 1
      end
    end
  end
end
return out
