-- Where a service's system was changed: the phase starts of the measures that share its purpose.
-- One row per date (the first label when two measures mark the same day).
-- $public_only keeps the phases of published measures only (the public view).
-- Params: $service_id, $public_only.
SELECT p.starts_on, min(p.label) AS label
FROM phase AS p
JOIN measure AS m USING (measure_id)
JOIN service AS s ON s.purpose_id = m.purpose_id
WHERE s.service_id = CAST($service_id AS VARCHAR)
  AND (m.published OR NOT CAST($public_only AS BOOLEAN))
GROUP BY p.starts_on
ORDER BY p.starts_on
