-- Add one unit to a prepared cart: request n goes to cart n mod C with SKU (n div C) mod S, so a
-- cart never gets the same SKU twice until C x S requests.  wrk ... -- THREADS CARTS_FILE SKUS
dofile("bench/wrk/common.lua")

local carts, skus, n, step

function init(args)
  step = tonumber(args[1])
  carts = read_lines(args[2])
  skus = split(args[3])
  n = id
end

function request()
  local cart = carts[n % #carts + 1]
  local sku = skus[math.floor(n / #carts) % #skus + 1]
  n = n + step
  return wrk.format("POST", "/api/v1/carts/" .. cart .. "/lines",
                    headers_with({["Content-Type"] = "application/json"}),
                    '{"sku": "' .. sku .. '", "quantity": 1}')
end
