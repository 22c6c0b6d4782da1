-- roster: up to limit active players, the most recent first (limit 0: all).
-- Player ids follow the join counter, so it walks back from the newest and
-- reads only as many players as it lists (and the departed among them).
-- KEYS: state, players. ARGV: limit.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
local limit = tonumber(ARGV[1])
local out = {'ok', s.pl}
local listed = 0
for j = s.n, 1, -1 do
  if limit > 0 and listed >= limit then
    break
  end
  local id = string.format(PLAYER_ID, j)
  local p = player(KEYS[2], id)
  if p and p.s == 'a' then
    out[#out + 1] = id
    out[#out + 1] = p.n
    listed = listed + 1
  end
end
return out
