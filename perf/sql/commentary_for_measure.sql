-- What officers wrote about a measure, newest first; the public see public commentary only.
SELECT commentary_id, measure_id, period_start, author, written_at, body, visibility
FROM commentary
WHERE measure_id = $measure_id AND (visibility = 'public' OR NOT $public_only)
ORDER BY coalesce(period_start, DATE '1900-01-01') DESC, written_at DESC;
