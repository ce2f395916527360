-- Keep the old and new figure of every corrected measurement; row_key is measure|period|locality.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
WITH pairs AS (
    SELECT i.measure_id || '|' || strftime(i.period_start::DATE, '%Y-%m-%d') || '|' || i.locality_id AS row_key,
           m.value AS old_value, i.value AS new_value,
           m.numerator AS old_numerator, i.numerator AS new_numerator,
           m.denominator AS old_denominator, i.denominator AS new_denominator
    FROM incoming i
    JOIN measurement m
        ON m.measure_id = i.measure_id
        AND m.period_start = i.period_start::DATE
        AND m.locality_id = i.locality_id
), changes AS (
    SELECT row_key, 'value' AS column_name, old_value::VARCHAR AS old_value, new_value::VARCHAR AS new_value
    FROM pairs WHERE old_value IS DISTINCT FROM new_value
    UNION ALL
    SELECT row_key, 'numerator', old_numerator::VARCHAR, new_numerator::VARCHAR
    FROM pairs WHERE old_numerator IS DISTINCT FROM new_numerator
    UNION ALL
    SELECT row_key, 'denominator', old_denominator::VARCHAR, new_denominator::VARCHAR
    FROM pairs WHERE old_denominator IS DISTINCT FROM new_denominator
)
SELECT 'measurement', row_key, column_name, old_value, new_value, $user, $now
FROM changes
ORDER BY row_key, column_name;
