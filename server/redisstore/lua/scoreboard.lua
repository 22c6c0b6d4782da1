-- scoreboard: the ranking, the players and one question's answers, read
-- together. KEYS: state, rank, players, and the answers of the question
-- (none: no question).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
local answers = {}
if KEYS[4] then
  answers = redis.call('HGETALL', KEYS[4])
end
return {'ok', redis.call('ZRANGE', KEYS[2], 0, -1), redis.call('HGETALL', KEYS[3]), answers}
