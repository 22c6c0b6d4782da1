-- events: the room's seq and up to ARGV[2] log entries from seq ARGV[1] on,
-- read together. KEYS: state, log.
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then
  return {'notfound'}
end
return {'ok', seq, redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])}
