-- keep: makes every key of a room whose game is not over expire ARGV[1]
-- ms from now; a room that is over keeps its own expiry.
-- KEYS: state, then every key of the room but its lease.
local s = load(KEYS[1])
if not s then
  return {'notfound'}
end
if not over(s) then
  for _, key in ipairs(KEYS) do
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return {'ok'}
