-- Shared by the load scripts (loaded with dofile from the project folder): every thread counts
-- the answers outside 2xx, and the main state prints one JSON line that bench/load.py reads.
-- Each script's init(args) gets: args[1] = the number of wrk threads, then its own arguments.

non2xx = 0
first_bad = ""
id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.gsub(string.sub(body or "", 1, 300), "%s+", " ")
    end
  end
end

-- wrk.format uses only the headers it is given: keep the -H ones (and Host) beside `extra`.
function headers_with(extra)
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  for k, v in pairs(extra) do headers[k] = v end
  return headers
end

function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
  return lines
end

function split(text)
  local items = {}
  for item in string.gmatch(text, "[^,]+") do table.insert(items, item) end
  return items
end

function done(summary, latency, requests)
  local bad = 0
  local example = ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    if example == "" then example = thread:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99),
    latency.max, bad, e.connect + e.read + e.write + e.timeout))
  if example ~= "" then io.write("WRK_FIRST_BAD " .. example .. "\n") end
end
