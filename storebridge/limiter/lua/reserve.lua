-- reserve.lua — book the next free slot of one shared rate-limit bucket (GCRA), or just look.
--
-- KEYS[1]  bucket   Keys.bucket(api)        hash, the bucket's shared schedule:
--                      tat_us        theoretical arrival time = end of the booked schedule
--                                    (µs, Redis clock); the next cost-1 call may start at
--                                    tat_us - (burst - 1) * interval
--                      factor        rate multiplier left by the last 429, in (0, 1]
--                      factor_at_us  when the ramp of `factor` back to 1 starts (µs, the end of
--                                    the 429 pause)
--                    written here (tat_us only, in "reserve" mode), PEXPIREd when idle.
-- KEYS[2]  pause    Keys.bucket_pause(api)  string, resume time in ms (Redis clock); read only.
-- KEYS[3]  rate     Keys.bucket_rate(api)   hash {rps, burst} learnt from the provider's headers;
--                                           read only.
-- ARGV[1]  base_rps      configured pacing rate = rate_per_s * safety_factor (requests/s)
-- ARGV[2]  safety        safety_factor, applied to the provider's header rate as well
-- ARGV[3]  burst         configured burst (calls that may start back to back), >= 1
-- ARGV[4]  cost          slots this call takes, >= 1
-- ARGV[5]  max_wait_us   longest acceptable wait; beyond it nothing is booked
-- ARGV[6]  recovery_us   length of the linear ramp of `factor` back to 1
-- ARGV[7]  mode          "reserve" (book) or "peek" (compute only, write nothing)
-- ARGV[8]  now_us        "" = redis TIME; otherwise the instant to use (tests only)
--
-- Returns {status, slot_us, now_us, wait_us, rate ("%.6f"), free_slots, pause_until_us}
--   status 1 = booked, 0 = not booked (wait > max_wait_us), 2 = peek.
-- Calling TIME before writing is safe: scripts replicate by effects (the default since Redis 5,
-- the only mode since 7; Valkey likewise).
-- Every number is an integer number of µs because Redis truncates Lua numbers in replies and
-- tostring() would print only 14 significant digits.
--
-- From prelude.lua (scripts.py puts it in front of this file): clock_us, penalty_factor, pause_resume_ms.

local base_rps = tonumber(ARGV[1])
local safety = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local max_wait = tonumber(ARGV[5])
local recovery = tonumber(ARGV[6])
local mode = ARGV[7]
local now = clock_us(ARGV[8])

local rate = base_rps
local learnt = redis.call("HMGET", KEYS[3], "rps", "burst")
if learnt[1] then rate = math.min(rate, tonumber(learnt[1]) * safety) end
if learnt[2] then burst = math.max(1, math.min(burst, math.floor(tonumber(learnt[2])))) end

local state = redis.call("HMGET", KEYS[1], "tat_us", "factor", "factor_at_us")
local tat = tonumber(state[1]) or 0
local factor_at = tonumber(state[3]) or 0
rate = rate * penalty_factor(tonumber(state[2]), factor_at, now, recovery)
local interval = 1000000 / rate

local pause_until = pause_resume_ms(KEYS[2]) * 1000
local start = math.max(now, pause_until)

-- GCRA with waiting instead of refusing: the call is booked at the end of the schedule and may
-- start `burst` intervals before that end, never before now or before the pause ends.
local new_tat = math.max(tat, start) + cost * interval
local slot = math.ceil(math.max(start, new_tat - burst * interval))
local wait = slot - now

local free = 0
if pause_until <= now then
  -- Differences first: now (~1.8e15 µs) + interval would lose the interval's low bits.
  free = math.floor((burst * interval - (math.max(tat, now) - now)) / interval + 1e-9)
  free = math.max(0, math.min(burst, free))
end

local status = 2
if mode == "reserve" then
  if wait > max_wait then
    status = 0
  else
    status = 1
    new_tat = math.ceil(new_tat)
    redis.call("HSET", KEYS[1], "tat_us", string.format("%d", new_tat))
    -- Keep the state while the schedule or the penalty ramp still matters, plus a minute.
    local keep_us = math.max(new_tat - now, factor_at + recovery - now, 0)
    redis.call("PEXPIRE", KEYS[1], math.ceil(keep_us / 1000) + 60000)
  end
end

return {status, slot, now, wait, string.format("%.6f", rate), free, pause_until}
