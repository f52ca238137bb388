-- Shared by every bench script: done() prints one machine-readable line for bench/report.py
-- (wrk's own summary is printed too). done() runs once, after the load: no Lua runs per request.
--
-- No delay() and no response(): wrk calls Lua for every request when a script defines
-- delay(), request() or response() (wrk's SCRIPTING and script_is_static), which cost wrk a
-- third of its throughput on this machine and capped the ceiling (issue 21).
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"non_2xx_3xx":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), latency.max, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout))
end
