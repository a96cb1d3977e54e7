-- wrk script for the benchmarks: optional POST bodies (unique per request) and a JSON summary with p50/p95.
-- Environment: BENCH_METHOD (GET/POST), BENCH_BODY (a body template; {n} becomes a request counter),
-- BENCH_COOKIE, BENCH_CSRF (sent as X-CSRFToken too), BENCH_HEADERS ("Name: value|Name: value").
local counter = 0
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  wrk.method = method
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  local csrf = os.getenv("BENCH_CSRF")
  if csrf and csrf ~= "" then wrk.headers["X-CSRFToken"] = csrf end
  local extra = os.getenv("BENCH_HEADERS") or ""
  for name, value in string.gmatch(extra, "([^:|]+):%s*([^|]+)") do wrk.headers[name] = value end
  if body then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
  statuses = {}
end

function request()
  counter = counter + 1
  if body then
    local text = string.gsub(body, "{n}", tostring(id) .. "x" .. tostring(counter))
    text = string.gsub(text, "{choice}", ({"support", "support_with_changes", "oppose"})[counter % 3 + 1])
    return wrk.format(nil, nil, nil, text)
  end
  return wrk.format()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', code, n)) end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
    summary.errors.timeout, table.concat(parts, ", ")))
end
