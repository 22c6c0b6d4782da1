-- report: the ranking, every player and the answers of every revealed
-- question, read together. KEYS: state, rank, players, then the answers of
-- each question in order.
local played = redis.call('HGET', KEYS[1], 'pd')
if not played then
  return {'notfound'}
end
local out = {'ok', redis.call('ZRANGE', KEYS[2], 0, -1), redis.call('HGETALL', KEYS[3])}
for i = 1, math.min(tonumber(played), #KEYS - 3) do
  out[#out + 1] = redis.call('HGETALL', KEYS[3 + i])
end
return out
