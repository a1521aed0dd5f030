-- wrk script: cycles through the URL paths in $BENCH_PATHS (one per line), each thread from its own offset,
-- and prints latency percentiles and throughput as one parsable line.
local paths = {}
local index = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  index = (id * 37) % #paths
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("WRK_SUMMARY requests=%d errors=%d rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, errors, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
