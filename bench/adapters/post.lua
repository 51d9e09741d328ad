-- wrk script: POST /v1/payments pinned to $PROVIDER ($METHOD: va at BCA, qris or card), a unique
-- Idempotency-Key and order id on every request.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  prefix = os.getenv("PROVIDER") .. "-" .. tostring(tid) .. "-" .. tostring(os.time())
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("GERBANG_KEY")
  wrk.headers["Content-Type"] = "application/json"
  local method = os.getenv("METHOD") or "va"
  if method == "va" then
    shape = '"method":"va","bank":"bca"'
  else
    shape = '"method":"' .. method .. '"'
  end
end

function request()
  counter = counter + 1
  local key = prefix .. "-" .. counter
  wrk.headers["Idempotency-Key"] = key
  local body = '{"amount":150000,"currency":"IDR",' .. shape .. ',"provider":"' .. os.getenv("PROVIDER") .. '","order_id":"A-' .. key .. '"}'
  return wrk.format("POST", "/v1/payments", nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
