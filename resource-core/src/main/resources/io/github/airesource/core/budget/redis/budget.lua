-- Budget counters, one atomic step per call: reserve, settle, grant and reset write; usage
-- and top read. Every key shares the hash tag {admission}. Time is the Redis server's
-- (TIME), never the caller's, so that every instance sees the same windows and leases.
--
-- Per (limit, key): a counter hash with the fields
--   window                           start (ms) of the window that used and extra belong to
--   used_tokens, used_cost           settled use in that window (cost in nano-dollars)
--   reserved_tokens, reserved_cost   held by reservations whose lease has not expired
--   extra_tokens, extra_cost         granted on top of the allowance for that window
--   lease:<id>                       "<tokens> <cost>" held by reservation <id>
-- and a sorted set of expiries (ms): member lease:<id> until the lease ends, and member
-- expired:<id> for an hour after a lease ended unsettled, so that a late settle of <id> still
-- charges what the call used, once. A settled reservation leaves nothing behind: a repeated
-- settle finds neither and changes nothing, and the state stays as small as the calls in
-- flight.
-- Per (limit, ranking): an index of the keys with their use in the current window: member
-- "<four hex digits per UTF-16 char of the key> <the key's encoded segment>", score minus
-- the use, so that ZRANGEBYSCORE lists the most used first and equal use in Java's String
-- order; the member #window holds the window the index belongs to.
--
-- Write operations take three keys per charge (counter, leases, index). ARGV[1] is the
-- operation, then its own arguments, then per charge: the period (ms), "1" when the index
-- ranks by cost or "0" by tokens, the key's index member, and, for reserve, the token cap
-- and cost cap (-1 = none), the tokens and cost asked and the fallback-at fraction (0 = no
-- check).
--
-- Numbers reach Redis as Lua numbers, never through tostring or .., which keep only 14
-- digits: integers up to 2^53 stay exact.
local op = ARGV[1]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local FIELDS = { 'used_tokens', 'used_cost', 'reserved_tokens', 'reserved_cost', 'extra_tokens', 'extra_cost' }

local function num(value)
  return tonumber(value or '0')
end

local function windowOf(period)
  return math.floor(now / period) * period
end

-- HINCRBY refuses "-0", and adding nothing needs no write.
local function add(key, field, n)
  if n ~= 0 then
    redis.call('HINCRBY', key, field, n)
  end
end

-- The reservations whose lease has ended: member, tokens and cost of each.
local function expired(counter, leases)
  local found = {}
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do
    local held = redis.call('HGET', counter, member)
    if held then
      local tokens, cost = string.match(held, '^(%d+) (%d+)$')
      found[#found + 1] = { member, tonumber(tokens), tonumber(cost) }
    end
  end
  return found
end

-- The counter's fields (FIELDS order) as numbers, in one read, and whether it is still in the
-- given window.
local function read(counter, window)
  local values = redis.call('HMGET', counter, 'window', unpack(FIELDS))
  local state = {}
  for i = 1, #FIELDS do
    state[i] = num(values[i + 1])
  end
  return state, num(values[1]) == window
end

-- The key's state as it stands now, without writing: used, reserved (less expired leases)
-- and extra, tokens then cost.
local function peek(counter, leases, window)
  local state, current = read(counter, window)
  if not current then
    state[1], state[2], state[5], state[6] = 0, 0, 0, 0
  end
  for _, lease in ipairs(expired(counter, leases)) do
    state[3] = state[3] - lease[2]
    state[4] = state[4] - lease[3]
  end
  return state
end

-- How long a lease that ended unsettled is remembered for a late settle (ms).
local EXPIRED_GRACE = 3600000

-- Brings the counter up to date: a new window forgets use and grants (reservations stay),
-- expired leases give back what they held and leave an expired:<id> marker, old markers go.
-- Answers the state as peek would after it, from the one read it makes (the counter is read
-- once and the leases scanned once: every redis.call costs the script time).
local function open(counter, leases, window)
  local state, current = read(counter, window)
  if not current then
    redis.call('HSET', counter, 'window', window, 'used_tokens', 0, 'used_cost', 0, 'extra_tokens', 0,
      'extra_cost', 0)
    state[1], state[2], state[5], state[6] = 0, 0, 0, 0
  end
  local ended = expired(counter, leases)
  for _, lease in ipairs(ended) do
    add(counter, 'reserved_tokens', 0 - lease[2])
    add(counter, 'reserved_cost', 0 - lease[3])
    state[3] = state[3] - lease[2]
    state[4] = state[4] - lease[3]
    redis.call('HDEL', counter, lease[1])
  end
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  for _, lease in ipairs(ended) do
    redis.call('ZADD', leases, now + EXPIRED_GRACE, 'expired:' .. string.sub(lease[1], 7))
  end
  return state
end

local function charges(first, stride)
  local list = {}
  for i = 1, #KEYS / 3 do
    local at = first + (i - 1) * stride
    local period = tonumber(ARGV[at])
    list[i] = { counter = KEYS[3 * i - 2], leases = KEYS[3 * i - 1], index = KEYS[3 * i], period = period,
      window = windowOf(period), byCost = ARGV[at + 1] == '1', member = ARGV[at + 2], at = at + 3 }
  end
  return list
end

-- Ranks the key in its limit's index and keeps every key of the charge as long as it
-- matters: the counter until its window ends or its last lease or settled marker expires,
-- whichever is later, the index until the window ends.
local function finish(charge, state)
  local index = charge.index
  local windowEnd = charge.window + charge.period
  if num(redis.call('ZSCORE', index, '#window')) ~= charge.window then
    redis.call('DEL', index)
    redis.call('ZADD', index, charge.window, '#window')
  end
  local used = state[1]
  if charge.byCost then
    used = state[2]
  end
  redis.call('ZADD', index, 0 - used, charge.member)
  redis.call('PEXPIREAT', index, windowEnd)
  local keepUntil = windowEnd
  local last = redis.call('ZRANGE', charge.leases, -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) > keepUntil then
    keepUntil = tonumber(last[2])
  end
  redis.call('PEXPIREAT', charge.counter, keepUntil)
  redis.call('PEXPIREAT', charge.leases, keepUntil)
end

local function share(used, max)
  if max <= 0 then
    if used > 0 then
      return math.huge
    end
    return 1
  end
  return used / max
end

local function usedFraction(state, capTokens, capCost)
  local fraction = 0
  if capTokens >= 0 then
    fraction = math.max(fraction, share(state[1] + state[3], capTokens + state[5]))
  end
  if capCost >= 0 then
    fraction = math.max(fraction, share(state[2] + state[4], capCost + state[6]))
  end
  return fraction
end

local function fits(state, capTokens, capCost, tokens, cost)
  if capTokens >= 0 and state[1] + state[3] + tokens > capTokens + state[5] then
    return false
  end
  return capCost < 0 or state[2] + state[4] + cost <= capCost + state[6]
end

-- Answer to reserve: {0} admitted, or {1 refused | 2 degrade, charge index from 0, window,
-- the charge's six figures}.
local function answer(kind, i, charge, state)
  local out = { kind, i - 1, charge.window }
  for f = 1, #FIELDS do
    out[#out + 1] = state[f]
  end
  return out
end

if op == 'reserve' then
  -- ARGV[2] reservation id, ARGV[3] lease (ms), ARGV[4] "1" to check fallback-at
  local lease = 'lease:' .. ARGV[2]
  local list = charges(5, 8)
  local states = {}
  for i, charge in ipairs(list) do
    states[i] = open(charge.counter, charge.leases, charge.window)
  end
  local result = nil
  if ARGV[4] == '1' then
    for i, charge in ipairs(list) do
      local fallbackAt = tonumber(ARGV[charge.at + 4])
      if result == nil and fallbackAt > 0
          and usedFraction(states[i], tonumber(ARGV[charge.at]), tonumber(ARGV[charge.at + 1])) >= fallbackAt then
        result = answer(2, i, charge, states[i])
      end
    end
  end
  if result == nil then
    for i, charge in ipairs(list) do
      if result == nil and not fits(states[i], tonumber(ARGV[charge.at]), tonumber(ARGV[charge.at + 1]),
          tonumber(ARGV[charge.at + 2]), tonumber(ARGV[charge.at + 3])) then
        result = answer(1, i, charge, states[i])
      end
    end
  end
  if result == nil then
    local expiresAt = now + tonumber(ARGV[3])
    for _, charge in ipairs(list) do
      add(charge.counter, 'reserved_tokens', tonumber(ARGV[charge.at + 2]))
      add(charge.counter, 'reserved_cost', tonumber(ARGV[charge.at + 3]))
      redis.call('HSET', charge.counter, lease, ARGV[charge.at + 2] .. ' ' .. ARGV[charge.at + 3])
      redis.call('ZADD', charge.leases, expiresAt, lease)
    end
    result = { 0 }
  end
  for i, charge in ipairs(list) do
    finish(charge, states[i])
  end
  return result
elseif op == 'settle' then
  -- ARGV[2] reservation id, ARGV[3] lease (ms), ARGV[4] actual tokens, ARGV[5] actual cost
  local lease = 'lease:' .. ARGV[2]
  local ended = 'expired:' .. ARGV[2]
  local tokens = tonumber(ARGV[4])
  local cost = tonumber(ARGV[5])
  -- How many charges this settle found held or ended: 0 when the reservation was settled
  -- before (or forgotten), which the joint admission's settlement reads.
  local found = 0
  for _, charge in ipairs(charges(6, 3)) do
    local state = open(charge.counter, charge.leases, charge.window)
    local held = redis.call('HGET', charge.counter, lease)
    local charged = false
    if held then
      local heldTokens, heldCost = string.match(held, '^(%d+) (%d+)$')
      add(charge.counter, 'reserved_tokens', 0 - tonumber(heldTokens))
      add(charge.counter, 'reserved_cost', 0 - tonumber(heldCost))
      state[3] = state[3] - tonumber(heldTokens)
      state[4] = state[4] - tonumber(heldCost)
      redis.call('HDEL', charge.counter, lease)
      redis.call('ZREM', charge.leases, lease)
      charged = true
    elseif redis.call('ZREM', charge.leases, ended) == 1 then
      -- The lease ended before the call did: its use is charged now, once.
      charged = true
    end
    if charged then
      found = found + 1
      add(charge.counter, 'used_tokens', tokens)
      add(charge.counter, 'used_cost', cost)
      state[1] = state[1] + tokens
      state[2] = state[2] + cost
    end
    finish(charge, state)
  end
  return { 1, found }
elseif op == 'grant' then
  -- ARGV[2] extra tokens, ARGV[3] extra cost
  for _, charge in ipairs(charges(4, 3)) do
    local state = open(charge.counter, charge.leases, charge.window)
    add(charge.counter, 'extra_tokens', tonumber(ARGV[2]))
    add(charge.counter, 'extra_cost', tonumber(ARGV[3]))
    finish(charge, state)
  end
  return { 1 }
elseif op == 'reset' then
  for _, charge in ipairs(charges(2, 3)) do
    if redis.call('EXISTS', charge.counter) == 1 then
      open(charge.counter, charge.leases, charge.window)
      redis.call('HSET', charge.counter, 'used_tokens', 0, 'used_cost', 0, 'extra_tokens', 0, 'extra_cost', 0)
      finish(charge, { 0, 0, 0, 0, 0, 0 })
    end
  end
  return { 1 }
elseif op == 'usage' then
  -- KEYS[1] counter, KEYS[2] leases; ARGV[2] period (ms). Answers the window and six figures.
  local window = windowOf(tonumber(ARGV[2]))
  local out = { window }
  for _, value in ipairs(peek(KEYS[1], KEYS[2], window)) do
    out[#out + 1] = value
  end
  return out
elseif op == 'top' then
  -- KEYS[1] index; ARGV[2] period (ms), ARGV[3] count, ARGV[4] and ARGV[5] the limit's
  -- counter and leases keys up to the key segment, which the index member carries.
  -- Answers the window, then per key its member and six figures.
  local window = windowOf(tonumber(ARGV[2]))
  local out = { window }
  if num(redis.call('ZSCORE', KEYS[1], '#window')) == window then
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', 0, 'LIMIT', 0, ARGV[3])) do
      local segment = string.sub(member, string.find(member, ' ', 1, true) + 1)
      out[#out + 1] = member
      for _, value in ipairs(peek(ARGV[4] .. segment, ARGV[5] .. segment, window)) do
        out[#out + 1] = value
      end
    end
  end
  return out
end
return redis.error_reply('unknown budget operation ' .. tostring(op))
