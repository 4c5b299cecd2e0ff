-- A call's admission against its budget and its rate limits in one atomic step and one round
-- trip, and its settlement against both in another. The work is done by the budget store's and
-- the rate-limit store's own scripts, budget.lua and ratelimit.lua, unchanged, declared before
-- this as the functions budget(KEYS, ARGV) and ratelimit(KEYS, ARGV) (see NestedScript.java)
-- and called with the keys and arguments their stores would send: nothing is counted here,
-- this script only runs them in order, as one step.
--
-- ARGV[1] is the operation and ARGV[2] the number n of parts; ARGV[3] to ARGV[2 + 2n] give
-- each part's number of keys and of arguments; the parts' keys follow each other in KEYS and
-- their arguments in ARGV after those counts.
--   admit:  parts: the budget's reservation, the budget's undoing of it (a settlement of
--           nothing), the rate limits' acquisition. The budget reserves first; when it does
--           not admit the call, its answer is the answer and nothing is held. Else the rate
--           limits take their capacity; when they refuse, the reservation is settled to
--           nothing within this same step, so that nothing is held. Answers {0} followed by
--           the rate limits' answer, or the budget's answer.
--   settle: parts: the budget's settlement, the rate limits' adjustment (possibly of no
--           bucket). The rate limits are adjusted only when the budget's settlement found
--           the reservation (held, or its lease ended unsettled within the hour): the
--           reservation's id makes the rate limits' correction idempotent as the budget's
--           settle is, so a settlement whose outcome is unknown can be sent again whole, and
--           a reservation that Redis lost (a restart without persistence) gives back no
--           capacity that Redis lost with it. Answers {1, 1} when adjusted, else {1, 0}.
local function slice(list, from, count)
  local out = {}
  for i = from, from + count - 1 do
    out[#out + 1] = list[i]
  end
  return out
end

local parts = {}
local nextKey, nextArg = 1, 3 + 2 * tonumber(ARGV[2])
for i = 1, tonumber(ARGV[2]) do
  local keyCount, argCount = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  parts[i] = { keys = slice(KEYS, nextKey, keyCount), args = slice(ARGV, nextArg, argCount) }
  nextKey, nextArg = nextKey + keyCount, nextArg + argCount
end

local op = ARGV[1]
if op == 'admit' then
  local reserved = budget(parts[1].keys, parts[1].args)
  if reserved[1] ~= 0 then
    return reserved
  end
  local taken = ratelimit(parts[3].keys, parts[3].args)
  if taken[1] ~= 0 then
    budget(parts[2].keys, parts[2].args)
  end
  local out = { 0 }
  for _, value in ipairs(taken) do
    out[#out + 1] = value
  end
  return out
elseif op == 'settle' then
  local settled = budget(parts[1].keys, parts[1].args)
  if settled[2] == 0 then
    return { 1, 0 }
  end
  ratelimit(parts[2].keys, parts[2].args)
  return { 1, 1 }
end
return redis.error_reply('unknown admission operation ' .. tostring(op))
