-- What bench.run reads from every wrk run: one line of JSON at the end.
-- Errors are wrk's own: failed connections, reads and writes, timeouts, and 4xx/5xx answers.

function report(summary, latency, extra)
  local e = summary.errors
  local fields = {
    string.format('"requests": %d', summary.requests),
    string.format('"seconds": %.3f', summary.duration / 1e6),
    string.format('"p50_ms": %.2f', latency:percentile(50) / 1000),
    string.format('"p99_ms": %.2f', latency:percentile(99) / 1000),
    string.format('"errors": %d', e.connect + e.read + e.write + e.status + e.timeout),
  }
  for name, value in pairs(extra or {}) do
    table.insert(fields, string.format('"%s": %s', name, value))
  end
  io.write("{" .. table.concat(fields, ", ") .. "}\n")
end

function done(summary, latency, requests)
  report(summary, latency)
end
