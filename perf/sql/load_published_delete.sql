-- Remove the stored figures an upload replaces (the same measure, council and period).
DELETE FROM published_value
WHERE (metric_id, area_code, period_start) IN (SELECT (metric_id, area_code, period_start::DATE) FROM incoming);
