-- The phase of a measure starting on a given day, if there is one.
SELECT measure_id, starts_on, label, description
FROM phase
WHERE measure_id = $measure_id AND starts_on = $starts_on;
