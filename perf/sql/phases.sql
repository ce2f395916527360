-- Where the system was changed, for one measure or (NULL) all of them; $public_only keeps the
-- phases of published measures only.
SELECT p.measure_id, p.starts_on, p.label, p.description
FROM phase AS p
JOIN measure AS m USING (measure_id)
WHERE ($measure_id IS NULL OR p.measure_id = $measure_id)
  AND (m.published OR NOT CAST($public_only AS BOOLEAN))
ORDER BY p.measure_id, p.starts_on;
