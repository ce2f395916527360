-- Remove the stored figures an upload replaces (the same measure, council and period), found by a join.
DELETE FROM published_value v
USING incoming i
WHERE v.metric_id = i.metric_id AND v.area_code = i.area_code AND v.period_start = i.period_start::DATE;
