"""The Lua scripts :class:`~specfake.store.redis.RedisStore` runs inside Redis.

A script runs atomically (Redis runs nothing else meanwhile), so a compare-and-set is one
script: read the revision, compare, write, all in one step, with no ``WATCH`` retry loop and
one round-trip. Eviction (``CollectionLimit``) runs in the same step as the write it follows.

Layout, for one collection: a hash per record (``v`` the JSON value, ``rev`` its revision,
``at`` when its key was first written) under ``RECORDS .. key``, and a sorted set of the keys
scored by the revision that created them, so the oldest come first. Record keys are built
inside the scripts, which a single Redis server allows (a Redis Cluster would not).
"""

from __future__ import annotations

# evict(zset, records, now, max_items, max_age): drop the oldest keys past ``max_items`` and
# those first written before ``now - max_age`` ('' for no bound), as the memory store does.
_EVICT = """
local function evict(zset, records, now, max_items, max_age)
  if max_age ~= '' then
    local oldest = now - tonumber(max_age)
    while true do
      local first = redis.call('ZRANGE', zset, 0, 0)
      if #first == 0 then break end
      local written = redis.call('HGET', records .. first[1], 'at')
      if written and tonumber(written) >= oldest then break end
      redis.call('DEL', records .. first[1])  -- gone already if Redis expired it
      redis.call('ZREM', zset, first[1])
    end
  end
  if max_items ~= '' then
    local extra = redis.call('ZCARD', zset) - tonumber(max_items)
    if extra > 0 then
      for _, key in ipairs(redis.call('ZRANGE', zset, 0, extra - 1)) do
        redis.call('DEL', records .. key)
      end
      redis.call('ZREMRANGEBYRANK', zset, 0, extra - 1)
    end
  end
end
"""

# KEYS: zset, revision counter. ARGV: records prefix, key, expected revision ('' none),
# value JSON ('' deletes), now, max_items, max_age, capacity ('' for no bound).
# Returns false (someone else wrote first), FULL (capacity reached), the new revision, or
# for a delete {revision, value} of the deleted record.
FULL = -1
COMPARE_AND_SET = (
    _EVICT
    + """
local zset, counter = KEYS[1], KEYS[2]
local records, key, expected, value = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, max_items, max_age, capacity = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
evict(zset, records, now, max_items, max_age)
local record = records .. key
local current = redis.call('HGET', record, 'rev')
if (current or '') ~= expected then return false end
if value == '' then
  if not current then return false end
  local old = redis.call('HGET', record, 'v')
  redis.call('DEL', record)
  redis.call('ZREM', zset, key)
  return {current, old}
end
if not current and capacity ~= '' and redis.call('ZCARD', zset) >= tonumber(capacity) then
  return -1
end
local revision = redis.call('INCR', counter)
if current then  -- an update keeps the key's age, and its TTL
  redis.call('HSET', record, 'v', value, 'rev', revision)
  return revision
end
redis.call('HSET', record, 'v', value, 'rev', revision, 'at', ARGV[5])
redis.call('ZADD', zset, revision, key)
if max_age ~= '' then  -- Redis forgets it by itself too, should the collection go idle
  redis.call('PEXPIRE', record, math.ceil(tonumber(max_age) * 1000))
end
evict(zset, records, now, max_items, max_age)
return revision
"""
)

# KEYS: zset. ARGV: records prefix. Deletes every record of the collection.
CLEAR = """
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. key)
end
redis.call('DEL', KEYS[1])
"""

# KEYS: zset. ARGV: records prefix, now, max_items, max_age.
EVICT = (
    _EVICT
    + """
evict(KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4])
"""
)

# KEYS: the zsets of the collections. ARGV: their records prefixes, in the same order.
# Returns, per collection, a flat list key, value, written, key, value, written... oldest first:
# every collection as of one moment (the script runs alone), however large.
SNAPSHOT = """
local result = {}
for index, zset in ipairs(KEYS) do
  local rows = {}
  for _, key in ipairs(redis.call('ZRANGE', zset, 0, -1)) do
    local fields = redis.call('HMGET', ARGV[index] .. key, 'v', 'at')
    if fields[1] then
      rows[#rows + 1] = key
      rows[#rows + 1] = fields[1]
      rows[#rows + 1] = fields[2]
    end
  end
  result[index] = rows
end
return result
"""
