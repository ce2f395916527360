-- Classify the rows of an upload (registered as `incoming`) against what is stored.
SELECT
    count(*) FILTER (WHERE m.measure_id IS NULL)::BIGINT AS new,
    count(*) FILTER (WHERE m.measure_id IS NOT NULL AND (
        i.value IS DISTINCT FROM m.value
        OR i.numerator IS DISTINCT FROM m.numerator
        OR i.denominator IS DISTINCT FROM m.denominator))::BIGINT AS corrected,
    count(*) FILTER (WHERE m.measure_id IS NOT NULL
        AND i.value IS NOT DISTINCT FROM m.value
        AND i.numerator IS NOT DISTINCT FROM m.numerator
        AND i.denominator IS NOT DISTINCT FROM m.denominator)::BIGINT AS unchanged
FROM incoming i
LEFT JOIN measurement m
    ON m.measure_id = i.measure_id
    AND m.period_start = i.period_start::DATE
    AND m.locality_id = i.locality_id;
