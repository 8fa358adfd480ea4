-- penalize.lua — after a 429: pause the bucket for everyone and cut its rate (multiplicative
-- decrease), to ramp back linearly once the pause is over.
--
-- KEYS[1]  bucket   Keys.bucket(api)        hash (see reserve.lua); writes `factor` and
--                                           `factor_at_us`, leaves `tat_us` alone.
-- KEYS[2]  pause    Keys.bucket_pause(api)  string, resume time in ms (Redis clock); only ever
--                                           moved later, expires shortly after it passes.
-- ARGV[1]  pause_ms      how long to pause from now
-- ARGV[2]  decrease      multiplier applied to the current factor, in (0, 1]
-- ARGV[3]  min_factor    floor of the factor, in (0, 1]
-- ARGV[4]  recovery_us   length of the ramp back to factor 1 (keeps the state alive that long)
-- ARGV[5]  now_us        "" = redis TIME; otherwise the instant to use (tests only)
--
-- Returns {resume_us, now_us, factor ("%.6f"), decreased (1/0)}.
-- A 429 that arrives while an earlier penalty's pause is still running (the other requests
-- that were already in flight) extends the pause but does not cut the rate again, so one
-- overload event halves the rate once, not once per in-flight request.
--
-- From prelude.lua (scripts.py puts it in front of this file): clock_us, penalty_factor, pause_resume_ms, set_pause.

local pause_ms = tonumber(ARGV[1])
local decrease = tonumber(ARGV[2])
local min_factor = tonumber(ARGV[3])
local recovery = tonumber(ARGV[4])
local now = clock_us(ARGV[5])
local now_ms = math.ceil(now / 1000)

local resume_ms = math.max(pause_resume_ms(KEYS[2]), now_ms + math.ceil(pause_ms))
set_pause(KEYS[2], resume_ms, now_ms)

local state = redis.call("HMGET", KEYS[1], "factor", "factor_at_us")
local old_factor = tonumber(state[1])
local factor_at = tonumber(state[2]) or 0
local current = penalty_factor(old_factor, factor_at, now, recovery)
local decreased = 0
local factor = current
if now >= factor_at or not old_factor then
  factor = math.max(min_factor, current * decrease)
  decreased = 1
end
local resume_us = resume_ms * 1000
redis.call("HSET", KEYS[1], "factor", string.format("%.6f", factor), "factor_at_us", string.format("%d", resume_us))
redis.call("PEXPIRE", KEYS[1], math.ceil((resume_us - now + recovery) / 1000) + 60000)

return {resume_us, now, string.format("%.6f", factor), decreased}
