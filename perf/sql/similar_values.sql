-- One metric's values for a list of councils, in time order.
SELECT area_code, period_start, value FROM published_value
WHERE metric_id = $metric_id AND list_contains($area_codes::VARCHAR[], area_code)
ORDER BY area_code, period_start;
