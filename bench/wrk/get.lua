-- GET requests rotating over the paths of a file (one a line): wrk ... -- THREADS PATHS_FILE
dofile("bench/wrk/common.lua")

local paths, n, step

function init(args)
  step = tonumber(args[1])
  paths = read_lines(args[2])
  n = id
end

function request()
  local path = paths[n % #paths + 1]
  n = n + step
  return wrk.format("GET", path)
end
