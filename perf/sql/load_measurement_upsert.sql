-- Insert new measurements and overwrite corrected ones (their old values are already logged);
-- rows that are unchanged are left alone, so who entered them and when stays as it was.
INSERT INTO measurement (measure_id, period_start, locality_id, value, numerator, denominator,
                         entered_by, entered_at)
SELECT i.measure_id, i.period_start::DATE, i.locality_id, i.value, i.numerator, i.denominator, $user, $now
FROM incoming i
LEFT JOIN measurement m
    ON m.measure_id = i.measure_id
    AND m.period_start = i.period_start::DATE
    AND m.locality_id = i.locality_id
WHERE m.measure_id IS NULL
    OR i.value IS DISTINCT FROM m.value
    OR i.numerator IS DISTINCT FROM m.numerator
    OR i.denominator IS DISTINCT FROM m.denominator
ON CONFLICT (measure_id, period_start, locality_id) DO UPDATE SET
    value = excluded.value,
    numerator = excluded.numerator,
    denominator = excluded.denominator,
    entered_by = excluded.entered_by,
    entered_at = excluded.entered_at;
