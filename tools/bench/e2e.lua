-- SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
-- wrk script of tools/bench/e2e. WRK_PAUSE_MS=N: each connection waits N ms
-- after an answer before its next request (a paced load, below saturation).
-- At the end, one line the bench reads: requests, bytes, duration in us,
-- errors, latency p50/p99 in us.
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "0")
if pause > 0 then
	delay = function() return pause end
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"WRK requests=%d bytes=%d duration_us=%d err_connect=%d err_read=%d " ..
		"err_write=%d err_status=%d err_timeout=%d p50_us=%d p99_us=%d\n",
		summary.requests, summary.bytes, summary.duration,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(99)))
end
