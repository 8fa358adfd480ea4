-- prelude.lua — helpers shared by every limiter script (not a script of its own).
--
-- storebridge/limiter/scripts.py puts this text in front of each script before registering it:
-- Redis runs one source text per EVALSHA and has no include, so the helpers are written once
-- here and the scripts only call them. Everything is `local`; nothing here touches a key by
-- itself, each helper works on the key its caller passes (always one of the caller's KEYS).
--
-- clock_us(override)                        now in µs: Redis TIME, or `override` (tests only)
-- penalty_factor(factor, factor_at, now, recovery)
--                                           the rate multiplier a 429 left, ramping back to 1
-- pause_resume_ms(pause_key)                a bucket's resume time in ms (Redis clock), 0 = none
-- set_pause(pause_key, resume_ms, now_ms)   store a resume time; the key expires 1 s after it

-- `override` is the scripts' now_us argument: "" (production) means Redis's own clock.
local function clock_us(override)
  if override ~= nil and override ~= "" then
    return tonumber(override)
  end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- The bucket hash's `factor` (nil = never penalised) holds until `factor_at` (µs, the end of the
-- 429 pause), then climbs linearly back to 1 over `recovery` µs.
local function penalty_factor(factor, factor_at, now, recovery)
  if not factor then return 1 end
  if now <= factor_at then return factor end
  if recovery <= 0 or now - factor_at >= recovery then return 1 end
  return factor + (1 - factor) * (now - factor_at) / recovery
end

-- The pause key holds the resume time in ms as a string; absent once the pause has expired.
local function pause_resume_ms(pause_key)
  return tonumber(redis.call("GET", pause_key)) or 0
end

-- Callers only ever move the resume time later; the key outlives it by a second.
local function set_pause(pause_key, resume_ms, now_ms)
  redis.call("SET", pause_key, string.format("%d", resume_ms), "PX", string.format("%d", resume_ms - now_ms + 1000))
end
