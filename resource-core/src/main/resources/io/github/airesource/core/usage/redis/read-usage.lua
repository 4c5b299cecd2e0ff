-- Reads one usage dimension in one step: its totals and the sum of each window's buckets.
-- All keys share the dimension's hash tag.
--
-- KEYS[1]    the totals hash, then the bucket hashes of each window in turn
-- ARGV[1]    number of fields f, ARGV[2..1+f] field names
-- ARGV[2+f]  number of windows w, then the number of buckets of each window
--
-- Returns f totals followed by f sums per window, as integers.
local fields = tonumber(ARGV[1])
local names = {}
for i = 1, fields do
  names[i] = ARGV[1 + i]
end
local out = {}
local values = redis.call('HMGET', KEYS[1], unpack(names))
for i = 1, fields do
  out[i] = tonumber(values[i] or '0')
end
local windows = tonumber(ARGV[2 + fields])
local key = 2
for w = 1, windows do
  local sums = {}
  for i = 1, fields do
    sums[i] = 0
  end
  for b = 1, tonumber(ARGV[2 + fields + w]) do
    local bucket = redis.call('HMGET', KEYS[key], unpack(names))
    for i = 1, fields do
      if bucket[i] then
        sums[i] = sums[i] + tonumber(bucket[i])
      end
    end
    key = key + 1
  end
  for i = 1, fields do
    out[#out + 1] = sums[i]
  end
end
return out
