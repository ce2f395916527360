-- Classify the figures of an upload (registered as `incoming`) against what is stored.
SELECT
    count(*) FILTER (WHERE v.metric_id IS NULL)::BIGINT AS new,
    count(*) FILTER (WHERE v.metric_id IS NOT NULL AND i.value IS DISTINCT FROM v.value)::BIGINT AS corrected,
    count(*) FILTER (WHERE v.metric_id IS NOT NULL AND i.value IS NOT DISTINCT FROM v.value)::BIGINT AS unchanged
FROM incoming i
LEFT JOIN published_value v
    ON v.metric_id = i.metric_id AND v.area_code = i.area_code AND v.period_start = i.period_start::DATE;
