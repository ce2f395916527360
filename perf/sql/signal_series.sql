-- Every series the signal finder watches, for the measures named ($all = TRUE: every measure):
-- the whole area ('ALL': a figure recorded for it, else its wards rolled up as measure_series does)
-- and each ward a measure is recorded for. Sorted by series then period, as the batch engine wants.
WITH m AS (
    SELECT measure_id, aggregation FROM measure
    WHERE $all OR measure_id IN (SELECT unnest($measure_ids::VARCHAR[]))
),
exact AS (
    SELECT v.measure_id, 'ALL' AS locality_id, v.period_start, v.value
    FROM measurement v JOIN m USING (measure_id)
    WHERE v.locality_id = 'ALL'
),
rolled AS (
    SELECT v.measure_id, 'ALL' AS locality_id, v.period_start,
           CASE any_value(m.aggregation)
               WHEN 'sum' THEN sum(v.value)
               WHEN 'mean' THEN avg(v.value)
               ELSE 100.0 * sum(v.numerator) / nullif(sum(v.denominator), 0)
           END AS value
    FROM measurement v
    JOIN m USING (measure_id)
    JOIN locality l ON l.locality_id = v.locality_id
    WHERE l.kind = 'ward' AND v.measure_id NOT IN (SELECT measure_id FROM exact)
    GROUP BY v.measure_id, v.period_start
),
wards AS (
    SELECT v.measure_id, v.locality_id, v.period_start,
           CASE WHEN m.aggregation = 'ratio' AND v.value IS NULL
                THEN 100.0 * v.numerator / nullif(v.denominator, 0) ELSE v.value END AS value
    FROM measurement v
    JOIN m USING (measure_id)
    JOIN locality l ON l.locality_id = v.locality_id
    WHERE l.kind = 'ward'
)
SELECT * FROM exact
UNION ALL SELECT * FROM rolled
UNION ALL SELECT * FROM wards
ORDER BY measure_id, locality_id, period_start;
