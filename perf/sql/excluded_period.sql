-- The periods a published snapshot says one-off answers left out of the limits (no cause, no names),
-- in the shape of signal_excluded.sql, for the measures named ($all = TRUE: every measure).
-- $locality_id NULL: every place.
SELECT measure_id, locality_id, first_period, last_period,
       NULL::VARCHAR AS cause, NULL::VARCHAR AS answered_by, NULL::TIMESTAMP AS answered_at
FROM excluded_period
WHERE ($all OR measure_id IN (SELECT unnest($measure_ids::VARCHAR[])))
  AND ($locality_id IS NULL OR locality_id = $locality_id)
ORDER BY measure_id, locality_id, first_period;
