-- One measure's values for every ward under a place (for small multiples and the map).
WITH RECURSIVE tree(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = $locality_id
    UNION ALL
    SELECT l.locality_id FROM locality l JOIN tree t ON l.parent_id = t.locality_id
)
SELECT v.locality_id, l.name AS locality_name, l.parent_id, v.period_start, v.value, v.numerator, v.denominator
FROM measurement v
JOIN tree t ON t.locality_id = v.locality_id
JOIN locality l ON l.locality_id = v.locality_id
WHERE v.measure_id = $measure_id AND l.kind = $kind
ORDER BY l.name, v.period_start;
