-- Every place's values of some measures, period by period: the wards as stored, and each larger
-- place as measure_series gives it (its own stored figure wins, else its wards rolled up). One row
-- per measure, period and place, with the place's kind and parent, so perf.public can hide a small
-- count and whatever would give it away (a parent's total less its other children). open_data: real
-- figures their source already publishes for smaller areas (FixMyStreet by 2011 small area).
-- Params: $measure_ids (VARCHAR[]), $public_only (published measures only).
WITH RECURSIVE below(ancestor, locality_id) AS (
    SELECT locality_id, locality_id FROM locality
    UNION ALL
    SELECT b.ancestor, l.locality_id FROM locality AS l JOIN below AS b ON l.parent_id = b.locality_id
),
m AS (SELECT measure_id, aggregation, unit, (is_real AND source_id IS NOT NULL) AS open_data FROM measure
      WHERE list_contains(CAST($measure_ids AS VARCHAR[]), measure_id)
        AND (published OR NOT CAST($public_only AS BOOLEAN))),
own AS (SELECT DISTINCT measure_id, locality_id FROM measurement JOIN m USING (measure_id)),
exact AS (
    SELECT v.measure_id, v.period_start, v.locality_id, v.value, v.numerator, v.denominator, 1 AS parts
    FROM measurement AS v JOIN m USING (measure_id)
),
rolled AS (
    SELECT v.measure_id, v.period_start, b.ancestor AS locality_id,
           CASE any_value(m.aggregation)
               WHEN 'sum' THEN sum(v.value)
               WHEN 'mean' THEN avg(v.value)
               ELSE 100.0 * sum(v.numerator) / nullif(sum(v.denominator), 0)
           END AS value,
           sum(v.numerator) AS numerator, sum(v.denominator) AS denominator, count(*) AS parts
    FROM measurement AS v
    JOIN m USING (measure_id)
    JOIN below AS b ON b.locality_id = v.locality_id
    JOIN locality AS w ON w.locality_id = v.locality_id
    WHERE w.kind = 'ward' AND b.ancestor <> v.locality_id
      AND NOT EXISTS (SELECT 1 FROM own AS o WHERE o.measure_id = v.measure_id AND o.locality_id = b.ancestor)
    GROUP BY v.measure_id, v.period_start, b.ancestor
),
cells AS (SELECT * FROM exact UNION ALL SELECT * FROM rolled)
SELECT c.measure_id, c.period_start, c.locality_id, l.name AS locality_name, l.kind AS locality_kind,
       l.parent_id, c.value, c.numerator, c.denominator, c.parts, m.unit, m.aggregation, m.open_data
FROM cells AS c
JOIN m USING (measure_id)
JOIN locality AS l ON l.locality_id = c.locality_id
ORDER BY c.measure_id, c.period_start, c.locality_id;
