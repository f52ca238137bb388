-- Shared by every bench script.
--
-- delay(): each connection's first request waits BENCH_HOLD_MS, so all connections are open
-- before the load starts. Without it wrk measures the server accepting its 50 connections one
-- per event-loop turn while the first ones already keep it busy: the first request on the last
-- connection waits ~0.5 s, which is start-up, not the steady state this bench is about.
-- bench/report.py takes the hold off the run's duration when it computes req/s.
--
-- done(): one machine-readable line for bench/report.py (wrk's own summary is printed too).
local hold_ms = tonumber(os.getenv("BENCH_HOLD_MS") or "0")
local first_requests = tonumber(os.getenv("BENCH_CONNECTIONS_PER_THREAD") or "0")

function delay()
  if first_requests > 0 then
    first_requests = first_requests - 1
    return hold_ms
  end
  return 0
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"hold_us":%d,"p50_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"non_2xx_3xx":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"timeouts":%d,"failed_edits":%d}\n',
    summary.requests, summary.duration, hold_ms * 1000, latency:percentile(50),
    latency:percentile(99), latency.max, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout, failed_edits and failed_edits() or 0))
end
