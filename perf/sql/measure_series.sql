-- One measure's values over time for a place. A figure recorded for the place itself wins;
-- otherwise the place's wards are rolled up: summed, averaged, or a ratio of summed parts.
WITH RECURSIVE tree(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = $locality_id
    UNION ALL
    SELECT l.locality_id FROM locality l JOIN tree t ON l.parent_id = t.locality_id
),
m AS (SELECT measure_id, aggregation FROM measure WHERE measure_id IN (SELECT unnest($measure_ids::VARCHAR[]))),
exact AS (
    SELECT v.measure_id, v.period_start, v.value, v.numerator, v.denominator, 1 AS parts
    FROM measurement v JOIN m USING (measure_id)
    WHERE v.locality_id = $locality_id
),
rolled AS (
    SELECT v.measure_id, v.period_start,
           CASE any_value(m.aggregation)
               WHEN 'sum' THEN sum(v.value)
               WHEN 'mean' THEN avg(v.value)
               ELSE 100.0 * sum(v.numerator) / nullif(sum(v.denominator), 0)
           END AS value,
           sum(v.numerator) AS numerator, sum(v.denominator) AS denominator, count(*) AS parts
    FROM measurement v
    JOIN m USING (measure_id)
    JOIN tree t ON t.locality_id = v.locality_id
    JOIN locality l ON l.locality_id = v.locality_id
    WHERE l.kind = 'ward'
      AND v.measure_id NOT IN (SELECT measure_id FROM exact)
    GROUP BY v.measure_id, v.period_start
)
SELECT measure_id, period_start, value, numerator, denominator, parts FROM exact
UNION ALL
SELECT measure_id, period_start, value, numerator, denominator, parts FROM rolled
ORDER BY measure_id, period_start;
