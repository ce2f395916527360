-- Measures an upload is checked against: the frequency says which dates start a period.
SELECT measure_id, name, frequency, unit, by_locality
FROM measure
ORDER BY measure_id;
