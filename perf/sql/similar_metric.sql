-- One published metric with its source and the span of its data (the Similar councils comparison).
SELECT m.*, s.name AS source_name, s.licence AS source_licence, s.attribution AS source_attribution,
       s.url AS source_url,
       (SELECT min(period_start) FROM published_value v WHERE v.metric_id = m.metric_id) AS first_period,
       (SELECT max(period_start) FROM published_value v WHERE v.metric_id = m.metric_id) AS last_period
FROM published_metric AS m
LEFT JOIN source AS s USING (source_id)
WHERE m.metric_id = $metric_id;
