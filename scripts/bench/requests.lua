-- wrk script of `make bench`: replays a file of prepared requests, one line each:
--   METHOD <tab> PATH <tab> BEARER TOKEN (or empty) <tab> JSON BODY (or empty)
-- Each wrk thread takes every n-th line (so single-use QR tokens are never sent twice while the
-- file lasts) and cycles through its share. `done` prints one machine-readable line.
-- wrk -s requests.lua http://127.0.0.1:PORT -- FILE NTHREADS

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  reqs, i = {}, 0
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == id then
      local method, path, auth, body = line:match("^(%u+)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if auth ~= "" then headers["Authorization"] = "Bearer " .. auth end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
    n = n + 1
  end
end

function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
