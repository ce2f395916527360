-- Keep the old and new figure of every corrected published value; row_key is metric|area|period.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
SELECT 'published_value', i.metric_id || '|' || i.area_code || '|' || strftime(i.period_start::DATE, '%Y-%m-%d'),
       'value', v.value::VARCHAR, i.value::VARCHAR, $user, $now
FROM incoming i
JOIN published_value v
    ON v.metric_id = i.metric_id AND v.area_code = i.area_code AND v.period_start = i.period_start::DATE
WHERE i.value IS DISTINCT FROM v.value
ORDER BY 2;
