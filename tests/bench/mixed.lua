-- SPDX-License-Identifier: MIT
-- wrk: nine state reads for each setpoint write, the writes alternating
-- across the house's temperature so that the control thread has to act.
local n = 0
request = function()
	n = n + 1
	if n % 10 == 0 then
		local sp = (n % 20 == 0) and 25 or 15
		return wrk.format("PUT", "/api/v1/setpoint",
			{ ["Content-Type"] = "application/json" },
			'{"setpoint": ' .. sp .. '}')
	end
	return wrk.format("GET", "/api/v1/state")
end
