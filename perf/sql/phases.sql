-- Where the system was changed, for one measure or (NULL) all of them.
SELECT measure_id, starts_on, label, description
FROM phase
WHERE $measure_id IS NULL OR measure_id = $measure_id
ORDER BY measure_id, starts_on;
