-- Every published metric with its source and the span of its data, for the Similar councils page.
SELECT m.*, s.name AS source_name, s.licence AS source_licence, s.attribution AS source_attribution,
       s.url AS source_url, v.first_period, v.last_period
FROM published_metric AS m
LEFT JOIN source AS s USING (source_id)
LEFT JOIN (SELECT metric_id, min(period_start) AS first_period, max(period_start) AS last_period
           FROM published_value GROUP BY metric_id) AS v USING (metric_id)
ORDER BY m.metric_id = 'fms-all' DESC, m.metric_id LIKE 'fms-%' DESC, m.name;
