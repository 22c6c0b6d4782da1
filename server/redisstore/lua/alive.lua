-- alive: renews an instance's presence lease, one for every room it has
-- streams in: the rooms hold its epoch (the lease it counted them under),
-- not a time, and its streams there count until another instance finds
-- this lease lapsed and drops them (see presence.lua).
-- KEYS: the instances' leases (hash: instance → "until:epoch", ms).
-- ARGV: instance, ttl ms, forget ms (a lease lapsed this long is removed).
-- Returns whether the instance's lease had lapsed (1) or never was (2), its
-- epoch (a new one after a lapse, so that the rooms tell what it counted
-- since from what it counted before), and the lapsed instances with their
-- epochs. Only an instance whose own lease is current judges the others:
-- when its own lapsed too, Redis or this instance was cut off, not
-- necessarily the others, so their lapsed leases get until now + ttl, and
-- none is listed.
local t = now()
local ttl, forget = tonumber(ARGV[2]), tonumber(ARGV[3])
local raw = redis.call('HGETALL', KEYS[1])
local all, mine = {}, nil
for i = 1, #raw, 2 do
  local u, e = string.match(raw[i + 1], '^(%d+):(%d+)$')
  local x = {id = raw[i], u = tonumber(u), e = tonumber(e)}
  all[#all + 1] = x
  if x.id == ARGV[1] then
    mine = x
  end
end
local lapsed = not mine or mine.u <= t
local epoch = t
if mine and not lapsed then
  epoch = mine.e
elseif mine then
  epoch = math.max(t, mine.e + 1)
end
local set, gone, dead = {ARGV[1], int(t + ttl) .. ':' .. int(epoch)}, {}, {}
for _, x in ipairs(all) do
  if x.id ~= ARGV[1] and x.u <= t then
    if x.u <= t - forget then
      gone[#gone + 1] = x.id
    elseif lapsed then
      set[#set + 1], set[#set + 2] = x.id, int(t + ttl) .. ':' .. int(x.e)
    else
      dead[#dead + 1], dead[#dead + 2] = x.id, int(x.e)
    end
  end
end
redis.call('HSET', KEYS[1], unpack(set))
if #gone > 0 then
  redis.call('HDEL', KEYS[1], unpack(gone))
end
local l = 0
if not mine then
  l = 2
elseif lapsed then
  l = 1
end
return {'ok', l, int(epoch), dead}
