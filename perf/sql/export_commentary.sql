-- Public commentary on published measures. Officers' names are left out: partners need what was
-- said and when, not who said it.
SELECT c.measure_id, c.period_start, c.written_at::DATE AS written_on, c.body
FROM commentary AS c
JOIN measure AS m USING (measure_id)
WHERE m.published AND c.visibility = 'public'
ORDER BY c.measure_id, c.period_start, c.written_at;
