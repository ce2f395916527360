-- Each measure's latest period with a value (any place) and when a value was last entered.
SELECT m.measure_id, m.name, m.frequency, m.published,
       max(v.period_start) AS latest_period,
       max(v.entered_at) AS last_entered_at
FROM measure m
LEFT JOIN measurement v ON v.measure_id = m.measure_id AND v.value IS NOT NULL
GROUP BY m.measure_id, m.name, m.frequency, m.published
ORDER BY m.measure_id;
