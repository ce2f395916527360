-- Open items whose owner has not been told yet, with what the digest says about each.
SELECT s.signal_id, s.measure_id, m.name AS measure_name, m.frequency, m.owner, o.email AS owner_email,
       s.locality_id, CASE WHEN s.locality_id = 'ALL' THEN 'Whole area' ELSE l.name END AS locality_name,
       s.rule, s.first_period, s.last_period, s.direction, s.side, s.found_at
FROM signal_item s
JOIN measure m USING (measure_id)
LEFT JOIN locality l ON l.locality_id = s.locality_id
LEFT JOIN owner o ON o.owner = m.owner
WHERE s.status = 'open' AND s.notified_at IS NULL
ORDER BY m.owner, m.name, s.locality_id, s.signal_id;
