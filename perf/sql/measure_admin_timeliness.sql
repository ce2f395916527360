-- Each measure's latest period with a value (any place) and when a value was last entered. A real
-- published extract (a source row, such as FixMyStreet's 2007-2020 files) expects no further figures.
SELECT m.measure_id, m.name, m.frequency, m.published, (m.is_real AND m.source_id IS NOT NULL) AS extract,
       max(v.period_start) AS latest_period,
       max(v.entered_at) AS last_entered_at
FROM measure m
LEFT JOIN measurement v ON v.measure_id = m.measure_id AND v.value IS NOT NULL
GROUP BY m.measure_id, m.name, m.frequency, m.published, m.is_real, m.source_id
ORDER BY m.measure_id;
