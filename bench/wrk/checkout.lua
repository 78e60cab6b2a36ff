-- Check out the next prepared cart (each holds its lines already): one cart per request; when the
-- carts run out the next requests find no open cart (404) and count as non-2xx.
-- wrk ... -- THREADS CARTS_FILE BODY_FILE
dofile("bench/wrk/common.lua")

local carts, body, n, step

function init(args)
  step = tonumber(args[1])
  carts = read_lines(args[2])
  body = read_lines(args[3])[1]
  n = id
end

function request()
  local cart = carts[n % #carts + 1]
  n = n + step
  return wrk.format("POST", "/api/v1/carts/" .. cart .. "/checkout",
                    headers_with({["Content-Type"] = "application/json", ["Idempotency-Key"] = "load-" .. cart}),
                    body)
end
