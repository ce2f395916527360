-- Where each published measure's system was changed (limits are recalculated from each start).
SELECT p.measure_id, p.starts_on, p.label, p.description
FROM phase AS p
JOIN measure AS m USING (measure_id)
WHERE m.published
ORDER BY p.measure_id, p.starts_on;
