-- observe.lua — adopt the rate the provider announces in its response headers, for everyone.
--
-- KEYS[1]  rate     Keys.bucket_rate(api)   hash {rps, burst}: the provider's own replenish rate
--                                           (requests/s, before our safety factor) and burst
--                                           capacity; expires after ARGV[4] ms without a response.
-- KEYS[2]  pause    Keys.bucket_pause(api)  string, resume time in ms (Redis clock); only ever
--                                           moved later (Remaining = 0 → short pause).
-- ARGV[1]  rps        provider replenish rate, "" when the header was absent
-- ARGV[2]  burst      provider burst capacity, "" when absent
-- ARGV[3]  pause_ms   pause to apply from now (0 = none)
-- ARGV[4]  ttl_ms     lifetime of the learnt values
-- ARGV[5]  now_us     "" = redis TIME; otherwise the instant to use (tests only)
--
-- Returns {now_us, resume_us} (resume_us = 0 when the bucket is not paused).
--
-- From prelude.lua (scripts.py puts it in front of this file): clock_us, pause_resume_ms, set_pause.

local now = clock_us(ARGV[5])
local now_ms = math.ceil(now / 1000)
local pause_ms = tonumber(ARGV[3])

if ARGV[1] ~= "" then redis.call("HSET", KEYS[1], "rps", ARGV[1]) end
if ARGV[2] ~= "" then redis.call("HSET", KEYS[1], "burst", ARGV[2]) end
if ARGV[1] ~= "" or ARGV[2] ~= "" then redis.call("PEXPIRE", KEYS[1], ARGV[4]) end

local resume_ms = pause_resume_ms(KEYS[2])
if pause_ms > 0 and now_ms + pause_ms > resume_ms then
  resume_ms = now_ms + math.ceil(pause_ms)
  set_pause(KEYS[2], resume_ms, now_ms)
end
if resume_ms <= now_ms then resume_ms = 0 end

return {now, resume_ms * 1000}
