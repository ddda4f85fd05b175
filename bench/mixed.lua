-- Visitors read while the learner changes statuses: one request in ten is a status change,
-- posted as the page's HTMX control posts it. Writes are timed here, apart from the reads,
-- by the request id the app echoes back in X-Request-ID.
--
-- The plan comes from the file BENCH_MIXED names, one item a line:
--   read PATH | write PATH STATUS STATUS_BACK | cookie HEADER | csrf TOKEN | referer URL
-- and `-- THREADS` after the URL says how many threads share the writes.

dofile("bench/report.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local reads, writes, plan = {}, {}, {}
for line in io.lines(os.getenv("BENCH_MIXED")) do
  local kind, rest = line:match("^(%S+) (.*)$")
  if kind == "read" then
    table.insert(reads, rest)
  elseif kind == "write" then
    table.insert(writes, { rest:match("^(%S+) (%S+) (%S+)$") })
  else
    plan[kind] = rest
  end
end

-- In the main state: hand each thread its number, and keep them to add up their counts.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- In each thread's own state from here on.
local stride, sent, written, read_at = 1, 0, 0, 0
local pending = {}
write_ms, write_errors, read_errors = {}, 0, 0

function init(args)
  stride = tonumber(args[1]) or 1
end

local function status_change()
  -- Threads take turns through the milestones, so no two change one at the same time. Each
  -- milestone is changed and then changed back by the thread's next write: every write is a
  -- real change, and the site stays the one that was built rather than drifting, over a run,
  -- into hundreds of milestones left in progress (a different site from the pages' runs).
  local k = (id - 1) + stride * math.floor(written / 2)
  local milestone = writes[k % #writes + 1]
  local status = written % 2 == 0 and milestone[2] or milestone[3]
  written = written + 1
  local request_id = string.format("bench-write-%d-%d", id, written)
  pending[request_id] = now_ms()
  return wrk.format("POST", milestone[1], {
    ["Host"] = wrk.headers["Host"],
    ["X-Forwarded-Proto"] = "https",
    ["HX-Request"] = "true",
    ["X-CSRFToken"] = plan.csrf,
    ["Cookie"] = plan.cookie,
    ["Referer"] = plan.referer,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Request-ID"] = request_id,
  }, "status=" .. status)
end

function request()
  sent = sent + 1
  if sent % 10 == 0 then
    return status_change()
  end
  read_at = read_at % #reads + 1
  return wrk.format("GET", reads[read_at], {
    ["Host"] = wrk.headers["Host"],
    ["X-Forwarded-Proto"] = "https",
    ["Accept-Encoding"] = "gzip",
  })
end

function response(status, headers, body)
  local began = pending[headers["X-Request-ID"] or ""]
  local failed = status < 200 or status > 299
  if began then
    pending[headers["X-Request-ID"]] = nil
    table.insert(write_ms, now_ms() - began)
    if failed then write_errors = write_errors + 1 end
  elseif failed then
    read_errors = read_errors + 1
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function done(summary, latency, requests)
  local times, failed_writes, failed_reads = {}, 0, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("write_ms")) do table.insert(times, ms) end
    failed_writes = failed_writes + thread:get("write_errors")
    failed_reads = failed_reads + thread:get("read_errors")
  end
  table.sort(times)
  report(summary, latency, {
    writes = #times,
    write_errors = failed_writes,
    read_errors = failed_reads,
    write_p50_ms = string.format("%.2f", percentile(times, 50)),
    write_p99_ms = string.format("%.2f", percentile(times, 99)),
  })
end
