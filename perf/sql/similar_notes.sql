-- Notes on a metric's series for a list of councils: moved to a successor, or ended, and why.
SELECT DISTINCT note FROM published_note
WHERE metric_id = $metric_id AND list_contains($area_codes::VARCHAR[], area_code) ORDER BY note;
