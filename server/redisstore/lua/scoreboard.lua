-- scoreboard: the ranking, the players and one question's answers, read
-- together. KEYS: state, rank, players, and the answers of the question
-- (none: no question). A room with players exists: only one without is
-- looked for.
local players = redis.call('HGETALL', KEYS[3])
if #players == 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  return {'notfound'}
end
local answers = {}
if KEYS[4] then
  answers = redis.call('HGETALL', KEYS[4])
end
return {'ok', redis.call('ZRANGE', KEYS[2], 0, -1), players, answers}
