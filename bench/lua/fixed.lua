-- The same request over and over, described by bench/run through the environment:
-- BENCH_METHOD, BENCH_BODY (JSON, or empty for none) and BENCH_AUTH (Authorization value).
-- Only the wrk table is set: wrk formats the request once and sends those bytes every time.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("BENCH_AUTH") or ""
if auth ~= "" then
  wrk.headers["Authorization"] = auth
end
