-- Valid PATCHes that keep succeeding: each carries the versionId its draft has by then, so
-- optimistic locking lets every one through (200). The one scenario whose requests differ, so
-- the one script with a request(); it only indexes requests made in init() (what wrk's
-- SCRIPTING advises), reads no response, and bench/run reports wrk's CPU share beside it.
--
-- Drafts bench-draft-000000 ... (BENCH_DRAFTS of them, bench/fixtures.py) start at version 1,
-- and every 200 bumps the version by one. wrk's one thread sends the drafts round-robin: draft
-- d's next request comes BENCH_DRAFTS requests after its last, and at most BENCH_CONNECTIONS
-- are in flight (far fewer than the drafts), so its last answer has arrived and its version
-- is the one before. The requests are made for BENCH_ROUNDS rounds; a run that sends more
-- starts again at version 1 and gets 409s, which wrk counts (non-2xx) and bench/run reports.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

local drafts = tonumber(os.getenv("BENCH_DRAFTS"))
local rounds = tonumber(os.getenv("BENCH_ROUNDS"))
local requests, count, next_index = {}, 0, 1

function init(args)
  for version = 1, rounds do
    for number = 0, drafts - 1 do
      local body = string.format('{"expectedVersionId":%d,"title":"Bench edit %d"}',
        version, version)
      local path = string.format("/v1/plan-definitions/bench-draft-%06d/draft", number)
      count = count + 1
      requests[count] = wrk.format(nil, path, nil, body)
    end
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % count + 1
  return r
end
