-- Valid PATCHes that keep succeeding: every request edits a draft with the versionId the last
-- answer for that draft returned, so optimistic locking lets each one through (200).
--
-- Drafts bench-draft-000000 ... (BENCH_DRAFTS of them, bench/fixtures.py) start at version 1.
-- Thread k of BENCH_THREADS owns every BENCH_THREADS-th draft and keeps a queue of the ones not
-- in flight; a draft re-enters the queue when its 200 arrives, with the version it reports. wrk
-- sends one request per connection at a time, so no draft is ever edited by two requests at
-- once. A non-200 drops the draft from the queue and is counted in failed_edits.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local drafts = tonumber(os.getenv("BENCH_DRAFTS"))
local thread_count = tonumber(os.getenv("BENCH_THREADS"))
local threads = {}

wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

-- Thread-local state; the main Lua state (where wrk checks request() once) keeps it empty.
local queue, head, tail = {}, 1, 0
ok_count, failed_count = 0, 0

local function push(id, version)
  tail = tail + 1
  queue[tail] = { id, version }
end

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  for number = index, drafts - 1, thread_count do
    push(string.format("bench-draft-%06d", number), 1)
  end
end

function request()
  local item = { "bench-draft-000000", 1 } -- only if every draft is in flight or lost
  if head <= tail then
    item = queue[head]
    queue[head] = nil
    head = head + 1
  end
  local body = string.format('{"expectedVersionId":%d,"title":"Bench edit %d"}', item[2], item[2])
  return wrk.format(nil, "/v1/plan-definitions/" .. item[1] .. "/draft", nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed_count = failed_count + 1
    return
  end
  ok_count = ok_count + 1
  local id, version = body:match('"id":"([^"]+)","versionId":(%d+)')
  if id then
    push(id, tonumber(version))
  end
end

function failed_edits()
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failed_count")
  end
  return failed
end
