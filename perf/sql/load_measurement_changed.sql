-- The rows of an upload (registered as `incoming`) that are new or differ from what is stored:
-- the periods the signal finder looks at again after the load.
SELECT i.measure_id, i.locality_id, i.period_start::DATE AS period_start
FROM incoming i
LEFT JOIN measurement m
    ON m.measure_id = i.measure_id
    AND m.period_start = i.period_start::DATE
    AND m.locality_id = i.locality_id
WHERE m.measure_id IS NULL
    OR i.value IS DISTINCT FROM m.value
    OR i.numerator IS DISTINCT FROM m.numerator
    OR i.denominator IS DISTINCT FROM m.denominator;
