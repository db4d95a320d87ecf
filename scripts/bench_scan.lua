-- wrk script for scripts/bench.py.
--   BENCH_DATA     a Lua file returning {mode, path, run, offset, members, cookies, csrf, tokens}
--   BENCH_THREADS  the -t given to wrk (request numbers interleave across threads)
-- mode "scan": every request is a different member (cookie + CSRF header) scanning with a fresh
-- client_scan_id; member i checks in to event 1, then to event 2 once all members have been used.
-- mode "get": GET data.path with data.cookies[1].
-- done() prints one line "BENCH_JSON {...}" with the counts per status and the latency percentiles.

local data = dofile(os.getenv("BENCH_DATA"))
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local threads = {}
local tid = 0
local counter = 0
statuses = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   tid = wrk.thread:get("tid") or 0
end

function request()
   if data.mode == "get" then
      return wrk.format("GET", data.path, {["Cookie"] = data.cookies[1]})
   end
   local i = data.offset + counter * nthreads + tid
   counter = counter + 1
   local m = (i % data.members) + 1
   local e = (math.floor(i / data.members) % #data.tokens) + 1
   local cid = string.format("%s-%04x-4000-8000-%012x", data.run, tid, i)
   local body = '{"token":"' .. data.tokens[e] .. '","client_scan_id":"' .. cid .. '"}'
   return wrk.format("POST", data.path, {
      ["Cookie"] = data.cookies[m],
      ["X-CSRF-Token"] = data.csrf[m],
      ["Content-Type"] = "application/json",
   }, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local merged = {}
   for _, thread in ipairs(threads) do
      local s = thread:get("statuses") or {}
      for code, n in pairs(s) do
         merged[code] = (merged[code] or 0) + n
      end
   end
   local parts = {}
   for code, n in pairs(merged) do
      table.insert(parts, string.format('"%d":%d', code, n))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},"statuses":{%s}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      table.concat(parts, ",")))
end
