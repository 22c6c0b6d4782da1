-- identify: who holds a token.
-- KEYS: state, tokens, players. ARGV: token hash.
local host = redis.call('HGET', KEYS[1], 'host')
if not host then
  return {'notfound'}
end
if host == ARGV[1] then
  return {'host'}
end
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then
  return {'unknown'}
end
local p = player(KEYS[3], id)
if p.s ~= 'a' then
  return {'gone', id}
end
return {'player', id, p.n}
