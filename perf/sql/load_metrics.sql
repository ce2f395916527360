-- Published measures a file's rows are checked against (by id or name).
SELECT metric_id, name, unit, frequency, additive, missing_is_zero FROM published_metric ORDER BY metric_id;
