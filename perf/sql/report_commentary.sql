-- The latest commentary on each measure up to the end of a reporting period: what an officer last
-- said about the chart a councillor is looking at. The public view gets public commentary on
-- published measures only.
-- Params: $measure_ids (VARCHAR[]), $end (DATE; NULL = no limit), $public_only.
SELECT c.measure_id, c.period_start, c.author, c.written_at, c.body, c.visibility
FROM commentary AS c
JOIN measure AS m USING (measure_id)
WHERE list_contains(CAST($measure_ids AS VARCHAR[]), c.measure_id)
  AND ((c.visibility = 'public' AND m.published) OR NOT CAST($public_only AS BOOLEAN))
  AND (CAST($end AS DATE) IS NULL OR coalesce(c.period_start, c.written_at::DATE) <= CAST($end AS DATE))
QUALIFY row_number() OVER (PARTITION BY c.measure_id
                           ORDER BY coalesce(c.period_start, DATE '1900-01-01') DESC, c.written_at DESC) = 1
ORDER BY c.measure_id;
