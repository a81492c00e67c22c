"""The Lua scripts of the shared rate budget (`_rate.RedisRateBudget`), one call each.

Times are milliseconds on Redis `TIME`. The keys: `{ns}:rate` (a hash: the pause `reopen`
and `plen`, the last 429 `event`, `epoch`, the `allow`ance per `span`, the allowance
`learned` at the last event and the `growth` since, `refused`: the send time of the refused
request while learning is pending, `seq`: the number of the last start), `{ns}:rate:log`
(the starts taken: a sorted set, at most `allow` of them in a span) and `{ns}:rate:ok`
(successes per bucket of send time, kept 60 s). Every script gives every key it touches a
TTL of at least `ttl` (`keep` only extends, so a long pause keeps its key past its end).

- `TURN`: take a start (or report the pause), counting only the starts numbered before it
  (so that turns waiting to take theirs again cannot leapfrog); the first turn after a
  pause learns the allowance: the most successes sent within one span in the two spans
  before the refused request (as `trio_spotify._ratelimit.RateGate` learns it).
- `PUSH`: pauses (the latest deadline wins), 429 events (new only when the refused request
  was sent after the last event; one while the allowance has grown a request past the
  learned one is a refused probe), turns ended (a start moves to when it counts from, or is
  given back) and successes (counted, and the allowance grown by each).
- `PEEK`: the pause, for tasks waiting for the gate.
"""

__all__ = ["LIB", "PEEK", "PUSH", "TURN"]

LIB = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function keep(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
"""

#: Take a turn. KEYS: state, log, successes. ARGV: margin, ttl_ms, bucket_ms, pace, backoff,
#: member (the start held, to take again after a wait, or ''). Returns {now, pause_left,
#: pause_length, wait, allowance ('' = none), span, member ('' = none)} (times in ms).
TURN = (
    LIB
    + """
local now = now_ms()
local margin, ttl, bucket = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'reopen', 'plen', 'allow', 'span', 'refused')
local reopen, plen = tonumber(s[1]) or 0, tonumber(s[2]) or 0
local allow, span = tonumber(s[3]), tonumber(s[4]) or 0
local member = ARGV[6]
if member ~= '' then redis.call('ZREM', KEYS[2], member) end
if now < reopen then
  return {tostring(now), tostring(reopen - now), tostring(plen), '0', s[3] or '', tostring(span),
          ''}
end
local refused = tonumber(s[5])
if refused then
  redis.call('HDEL', KEYS[1], 'refused')
  local width = math.floor(span / bucket)
  local first = math.floor((refused - 2 * span) / bucket)
  local last = math.floor((refused + span * (margin - 1)) / bucket)
  local oldest = math.floor((now - 60000) / bucket)
  local all = redis.call('HGETALL', KEYS[3])
  local keys, counts = {}, {}
  for i = 1, #all, 2 do
    local k = tonumber(all[i])
    if k < oldest then redis.call('HDEL', KEYS[3], all[i])
    elseif k >= first and k <= last then keys[#keys + 1] = k; counts[k] = tonumber(all[i + 1]) end
  end
  table.sort(keys)
  local measured, total, low = 0, 0, 1
  for _, k in ipairs(keys) do
    total = total + counts[k]
    while keys[low] < k - width do total = total - counts[keys[low]]; low = low + 1 end
    if total > measured then measured = total end
  end
  if measured > 0 then
    local learned = tonumber(redis.call('HGET', KEYS[1], 'learned'))
    allow = math.max(1, tonumber(ARGV[5]) * measured)
    redis.call('HSET', KEYS[1], 'allow', tostring(allow), 'learned', tostring(allow))
    if learned and allow > learned then redis.call('HDEL', KEYS[1], 'growth') end
  end
end
local wait = 0
if allow and span > 0 and ARGV[4] == '1' then
  local a = math.max(1, math.floor(allow))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
  local n = redis.call('ZCARD', KEYS[2])
  if n > 4 * a + 64 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - 4 * a - 65) end
  -- Only the starts taken before this one count (by their number, so that two waiting
  -- turns cannot leapfrog each other); they are in the order of their times.
  if member == '' then member = tostring(redis.call('HINCRBY', KEYS[1], 'seq', 1)) end
  local mine, before = tonumber(member), {}
  local all = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do
    if tonumber(all[i]) < mine then before[#before + 1] = tonumber(all[i + 1]) end
  end
  local start = now
  local extra = math.min(span * (margin - 1), 100)
  if #before >= a then start = math.max(now, before[#before - a + 1] + span + extra) end
  redis.call('ZADD', KEYS[2], start, member)
  keep(KEYS[2], ttl)
  wait = start - now
else
  member = ''
end
keep(KEYS[1], ttl)
return {tostring(now), '0', tostring(plen), tostring(wait), allow and tostring(allow) or '',
        tostring(span), member}
"""
)

#: Push what happened. KEYS: state, log, successes. ARGV: ttl_ms, horizon_ms, learn, growth,
#: the number of pauses P, P triples (seconds_ms, sent_at_ms or '', is_429), the number of
#: turns ended F, F pairs (member, answered_at_ms, or '' when not sent), then pairs (bucket,
#: successes). Returns {now, pause_left, pause_length, new_events}.
PUSH = (
    LIB
    + """
local now = now_ms()
local ttl, horizon, learn = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local growth, pauses = tonumber(ARGV[4]), tonumber(ARGV[5])
local s = redis.call('HMGET', KEYS[1], 'reopen', 'plen', 'event', 'span', 'allow', 'learned',
                     'growth')
local reopen, plen = tonumber(s[1]) or 0, tonumber(s[2]) or 0
local event, span, allow = tonumber(s[3]), tonumber(s[4]) or 0, tonumber(s[5])
local learned, min_growth = tonumber(s[6]), growth / 16
growth = tonumber(s[7]) or growth
local new = 0
local i = 6
for _ = 1, pauses do
  local seconds, sent, limited = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), ARGV[i + 2] == '1'
  i = i + 3
  if now + seconds > reopen then  -- the latest deadline wins
    reopen, plen = now + seconds, seconds
    redis.call('HSET', KEYS[1], 'reopen', tostring(reopen), 'plen', tostring(plen))
  end
  if limited and sent and (event == nil or sent > event) then
    event, new = now, new + 1
    redis.call('HSET', KEYS[1], 'event', tostring(now))
    redis.call('HINCRBY', KEYS[1], 'epoch', 1)
    if allow and learned and allow >= learned + 1 then  -- a probe refused: probe less often
      growth = math.max(min_growth, growth / 2)
      redis.call('HSET', KEYS[1], 'growth', tostring(growth))
    end
    if learn and seconds > 0 then
      span = math.min(horizon, math.max(span, seconds))
      redis.call('HSET', KEYS[1], 'span', tostring(span), 'refused', tostring(sent))
    end
  end
end
local ended = tonumber(ARGV[i])
i = i + 1
for _ = 1, ended do  -- a start counts from when its answer came (the server's count is in)
  if ARGV[i + 1] == '' then redis.call('ZREM', KEYS[2], ARGV[i])
  else redis.call('ZADD', KEYS[2], 'XX', 'GT', ARGV[i + 1], ARGV[i]) end
  i = i + 2
end
local successes = 0
while i < #ARGV do
  redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1])
  successes = successes + tonumber(ARGV[i + 1])
  i = i + 2
end
if successes > 0 then
  keep(KEYS[3], ttl)
  if allow then
    for _ = 1, successes do allow = allow + growth / allow end
    redis.call('HSET', KEYS[1], 'allow', tostring(allow))
  end
end
keep(KEYS[1], math.max(ttl, math.ceil(reopen - now + ttl)))
return {tostring(now), tostring(math.max(0, reopen - now)), tostring(plen), tostring(new)}
"""
)

#: Read the pause. KEYS: state. Returns {now, pause_left, pause_length}.
PEEK = (
    LIB
    + """
local now = now_ms()
local s = redis.call('HMGET', KEYS[1], 'reopen', 'plen')
local reopen = tonumber(s[1]) or 0
return {tostring(now), tostring(math.max(0, reopen - now)), s[2] or '0'}
"""
)
