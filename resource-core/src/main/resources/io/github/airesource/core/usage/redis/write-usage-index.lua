-- Adds one batch's models and scope costs to the usage indexes, as one atomic step. All keys
-- share the index hash tag.
--
-- KEYS[1]    the index's hash of applied batches: writer id -> last batch sequence
-- KEYS[2]    the set of model names
-- KEYS[3..n] sorted sets of scopes (tenants, users), scored by minus their cost in
--            nano-dollars, so that ZRANGE lists the most expensive first and equal costs by id
-- ARGV[1]    writer id   ARGV[2] batch sequence   ARGV[3] TTL of KEYS[1] (ms)
-- ARGV[4]    TTL of the indexes (ms)   ARGV[5] most members kept per index
-- ARGV[6]    number of models m, then m model names
-- then, for each sorted set: a count c and c pairs of member and cost increment
--
-- Repeated batches are skipped as in write-usage.lua. Returns 1 when applied, 0 when skipped.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if last >= tonumber(ARGV[2]) then
  return 0
end
local max = tonumber(ARGV[5])
local pos = 6
local models = tonumber(ARGV[pos])
pos = pos + 1
for i = 1, models do
  if redis.call('SCARD', KEYS[2]) < max then
    redis.call('SADD', KEYS[2], ARGV[pos])
  end
  pos = pos + 1
end
if models > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
for k = 3, #KEYS do
  local count = tonumber(ARGV[pos])
  pos = pos + 1
  for i = 1, count do
    redis.call('ZINCRBY', KEYS[k], ARGV[pos + 1], ARGV[pos])
    pos = pos + 2
  end
  if count > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[k], max, -1)
    redis.call('PEXPIRE', KEYS[k], ARGV[4])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
