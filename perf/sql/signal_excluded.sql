-- Periods a one-off answer left out of the limits, for the measures named ($all = TRUE: every
-- measure), with the cause kept as the reason. $locality_id NULL: every place.
SELECT s.measure_id, s.locality_id, s.first_period, s.last_period, a.cause, a.answered_by, a.answered_at
FROM signal_answer a JOIN signal_item s USING (signal_id)
WHERE a.exclude_from_limits
  AND ($all OR s.measure_id IN (SELECT unnest($measure_ids::VARCHAR[])))
  AND ($locality_id IS NULL OR s.locality_id = $locality_id)
ORDER BY s.measure_id, s.locality_id, s.first_period;
