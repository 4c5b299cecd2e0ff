-- Adds one batch's increments to the counters of one usage dimension and sets their TTLs,
-- as one atomic step. All keys share the dimension's hash tag.
--
-- KEYS[1]    the dimension's hash of applied batches: writer id -> last batch sequence
-- KEYS[2..n] counter hashes (the totals and window buckets)
-- ARGV[1]    writer id          ARGV[2] batch sequence      ARGV[3] TTL of KEYS[1] (ms)
-- ARGV[4]    number of fields f ARGV[5..4+f] field names
-- then, for each counter key: its TTL (ms) and f increments ("0" = unchanged)
--
-- A writer sends its batches in sequence and repeats a batch whose outcome it could not
-- learn; a batch at or below the last applied sequence was applied already and is skipped,
-- so a repeated batch never counts twice. Returns 1 when applied, 0 when skipped.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if last >= tonumber(ARGV[2]) then
  return 0
end
local fields = tonumber(ARGV[4])
local pos = 5 + fields
for k = 2, #KEYS do
  local ttl = ARGV[pos]
  pos = pos + 1
  for i = 1, fields do
    if ARGV[pos] ~= '0' then
      redis.call('HINCRBY', KEYS[k], ARGV[4 + i], ARGV[pos])
    end
    pos = pos + 1
  end
  redis.call('PEXPIRE', KEYS[k], ttl)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
