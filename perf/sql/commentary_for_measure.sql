-- What officers wrote about a measure, newest first; the public see public commentary on a
-- published measure only.
SELECT c.commentary_id, c.measure_id, c.period_start, c.author, c.written_at, c.body, c.visibility
FROM commentary AS c
JOIN measure AS m USING (measure_id)
WHERE c.measure_id = $measure_id
  AND ((c.visibility = 'public' AND m.published) OR NOT $public_only)
ORDER BY coalesce(c.period_start, DATE '1900-01-01') DESC, c.written_at DESC;
