-- quota.lua — atomic check-and-increment of a per-KST-day call counter (e.g. Domeggook 15,000/day).
--
-- KEYS[1]  counter  Keys.daily_quota(api, day)  string, calls counted on that KST day; expires
--                                               two days after it was first written.
-- ARGV[1]  day       the KST day KEYS[1] belongs to, as days since 1970-01-01 KST. The caller
--                    guesses it from its own clock; if Redis's clock says another day, nothing is
--                    counted and the right day is returned so the caller retries with its key.
-- ARGV[2]  cost      calls to count; 0 = only read the counter
-- ARGV[3]  limit     the counter may not go above this
-- ARGV[4]  now_us    "" = redis TIME; otherwise the instant to use (tests only)
--
-- Returns {status, used, until_midnight_us, day}
--   status 1 = counted (used includes this call), 0 = refused (at/over limit; nothing counted),
--          -1 = wrong day (retry with KEYS[1] for `day`).
--
-- From prelude.lua (scripts.py puts it in front of this file): clock_us.

local KST_OFFSET_S = 9 * 3600
local DAY_S = 86400

local expected_day = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local now = clock_us(ARGV[4])

local day = math.floor((math.floor(now / 1000000) + KST_OFFSET_S) / DAY_S)
local next_midnight_us = ((day + 1) * DAY_S - KST_OFFSET_S) * 1000000
local until_midnight = next_midnight_us - now

if day ~= expected_day then
  return {-1, 0, until_midnight, day}
end

local used = tonumber(redis.call("GET", KEYS[1])) or 0
if cost == 0 then
  return {1, used, until_midnight, day}
end
if used + cost > limit then
  return {0, used, until_midnight, day}
end
used = redis.call("INCRBY", KEYS[1], cost)
if used == cost then
  redis.call("EXPIRE", KEYS[1], 2 * DAY_S)
end
return {1, used, until_midnight, day}
