-- POS sales with ids unique per run and request (the receipt number is made from the id's first
-- 12 hex digits, so they hold the request counter and the run's nonce): BATCH 1 posts /api/v1/pos/sales, more
-- posts /api/v1/pos/sync with BATCH sales. The device token comes as -H "Authorization: ...".
-- wrk ... -- THREADS RUN_NONCE OCCURRED_AT SKUS PRICES BATCH
dofile("bench/wrk/common.lua")

local nonce, occurred, skus, prices, batch, n, step

function init(args)
  step = tonumber(args[1])
  nonce = tonumber(args[2])
  occurred = args[3]
  skus = split(args[4])
  prices = split(args[5])
  batch = tonumber(args[6])
  n = id
end

local function sale()
  local k = n % #skus + 1
  local text = string.format(
    '{"id": "%08x-%04x-4000-8000-%012x", "occurred_at": "%s", "payment_method": "cash", '
    .. '"lines": [{"sku": "%s", "quantity": 1, "unit_price_vnd": %s}]}',
    n, nonce % 65536, id, occurred, skus[k], prices[k])
  n = n + step
  return text
end

function request()
  local headers = headers_with({["Content-Type"] = "application/json"})
  if batch == 1 then
    return wrk.format("POST", "/api/v1/pos/sales", headers, sale())
  end
  local sales = {}
  for _ = 1, batch do table.insert(sales, sale()) end
  return wrk.format("POST", "/api/v1/pos/sync", headers,
                    '{"sales": [' .. table.concat(sales, ", ") .. ']}')
end
