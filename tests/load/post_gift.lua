-- wrk script: POST a gift declaration with the bearer token in TOKEN and
-- the tenant in TENANT. Values vary so rules see different inputs.
local token = os.getenv("TOKEN")
local tenant = os.getenv("TENANT")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  n = n + 1
  local value = (n % 7) * 25000 + 1000
  local body = string.format(
    '{"direction":"received","giver_name":"Load Test LLP","description":"Gift %d","value_kzt":"%d.00","date":"2026-03-01","occasion":"load"}',
    n, value)
  return wrk.format(nil, "/api/v1/tenants/" .. tenant .. "/gifts", nil, body)
end
