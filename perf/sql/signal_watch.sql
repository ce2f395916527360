-- What the finder needs of each measure named ($all = TRUE: every measure): how it improves, and
-- the dates its system changed (each starts a phase with limits of its own).
SELECT m.measure_id, m.improvement,
       list(p.starts_on ORDER BY p.starts_on) FILTER (WHERE p.starts_on IS NOT NULL) AS phase_starts
FROM measure m LEFT JOIN phase p USING (measure_id)
WHERE $all OR m.measure_id IN (SELECT unnest($measure_ids::VARCHAR[]))
GROUP BY m.measure_id, m.improvement;
