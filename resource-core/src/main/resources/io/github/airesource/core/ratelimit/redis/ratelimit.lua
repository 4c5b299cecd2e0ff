-- Rate-limit buckets (GCRA), one atomic step per call: acquire and adjust write, state reads.
-- A hand-written script rather than a rate-limiting library: one call must check and take
-- several limits (the user's, the tenant's, the global one, each in up to three dimensions)
-- all or none, in one round trip, which per-limit library calls cannot do atomically.
--
-- Every KEYS[i] is one bucket: the theoretical arrival time (tat) of one dimension of one
-- limit for one scope key, as "<micros> <fraction>": whole epoch microseconds and a fraction
-- of one in units of a denominator (the limit's capacity, see Gcra.java). A missing key is a
-- full bucket, so a key lives exactly until its bucket is full again (its TTL) and a bucket
-- that a refund fills is deleted. All keys share the hash tag {admission}.
--
-- Time is the Redis server's (TIME), in microseconds: about 2^51, exact in Lua's doubles.
-- Every product of an amount and a period is computed by the caller, exactly, and arrives as
-- an interval "micros fraction"; here times are only added and compared, step for step as
-- InMemoryRateLimitStore does, so both stores give the same answers. Numbers are written
-- with %d, never tostring or .., which keep only 14 digits.
--
-- ARGV[1] is the operation, ARGV[2] how far ahead of now a tat may go (the most debt).
--   acquire: ARGV[3] the longest wait allowed; per key i, at a = 4 * i: ARGV[a] the limit's
--            period, ARGV[a + 1] and ARGV[a + 2] the interval the charge takes (0 0: only
--            report the bucket), ARGV[a + 3] the denominator. Answers {0, delay, now, then
--            micros and fraction of each key after} or {1, index of the key that waits
--            longest (from 0), its wait}; a refusal writes nothing.
--   adjust:  per key i, at a = 3 * i: ARGV[a], ARGV[a + 1] the signed interval to add,
--            ARGV[a + 2] the denominator. Answers {1}.
--   state:   per key i, ARGV[2 + i] the denominator. Answers {now, then micros and fraction
--            of each key}.
local op = ARGV[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local most = now + tonumber(ARGV[2])

local function read(key, denominator)
  local value = redis.call('GET', key)
  if not value then
    return 0, 0
  end
  local micros, fraction = string.match(value, '^(%d+) (%d+)$')
  micros, fraction = tonumber(micros), tonumber(fraction)
  if fraction >= denominator then
    -- Written under another capacity of the same limit name.
    micros = micros + math.floor(fraction / denominator)
    fraction = fraction % denominator
  end
  return micros, fraction
end

local function isFull(micros, fraction)
  return micros < now or (micros == now and fraction == 0)
end

-- Adds an interval, from now when the bucket is full; a refund never makes it fuller than
-- full, and debt stays within most.
local function add(micros, fraction, addMicros, addFraction, denominator)
  if isFull(micros, fraction) then
    micros, fraction = now, 0
  end
  micros = micros + addMicros
  fraction = fraction + addFraction
  if fraction >= denominator then
    fraction = fraction - denominator
    micros = micros + 1
  end
  if micros > most or (micros == most and fraction > 0) then
    micros, fraction = most, 0
  end
  if micros < now then
    micros, fraction = now, 0
  end
  return micros, fraction
end

local function write(key, micros, fraction)
  if isFull(micros, fraction) then
    redis.call('DEL', key)
  else
    local ttl = micros - now
    if fraction > 0 then
      ttl = ttl + 1
    end
    redis.call('SET', key, string.format('%d %d', micros, fraction), 'PX', string.format('%d', math.ceil(ttl / 1000)))
  end
end

if op == 'acquire' then
  local maxWait = tonumber(ARGV[3])
  -- What each bucket would hold after the call: a key named twice sees both charges.
  local micros, fraction, changed = {}, {}, {}
  local longest, longestAt = 0, 0
  for i, key in ipairs(KEYS) do
    local a = 4 * i
    local period = tonumber(ARGV[a])
    local addMicros, addFraction = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    local denominator = tonumber(ARGV[a + 3])
    if micros[key] == nil then
      micros[key], fraction[key] = read(key, denominator)
    end
    if addMicros ~= 0 or addFraction ~= 0 then
      micros[key], fraction[key] = add(micros[key], fraction[key], addMicros, addFraction, denominator)
      changed[key] = true
      local wait = micros[key] - period - now
      if fraction[key] > 0 then
        wait = wait + 1
      end
      if wait > longest then
        longest, longestAt = wait, i
      end
    end
  end
  if longest > maxWait then
    return { 1, longestAt - 1, longest }
  end
  for key in pairs(changed) do
    write(key, micros[key], fraction[key])
  end
  local out = { 0, longest, now }
  for _, key in ipairs(KEYS) do
    out[#out + 1] = micros[key]
    out[#out + 1] = fraction[key]
  end
  return out
elseif op == 'adjust' then
  for i, key in ipairs(KEYS) do
    local a = 3 * i
    local denominator = tonumber(ARGV[a + 2])
    local micros, fraction = read(key, denominator)
    micros, fraction = add(micros, fraction, tonumber(ARGV[a]), tonumber(ARGV[a + 1]), denominator)
    write(key, micros, fraction)
  end
  return { 1 }
elseif op == 'state' then
  local out = { now }
  for i, key in ipairs(KEYS) do
    local micros, fraction = read(key, tonumber(ARGV[2 + i]))
    out[#out + 1] = micros
    out[#out + 1] = fraction
  end
  return out
end
return redis.error_reply('unknown rate-limit operation ' .. tostring(op))
