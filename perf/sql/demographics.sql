-- Demographic indicators for every ward under a place, latest year on or before $year.
WITH RECURSIVE tree(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = $locality_id
    UNION ALL
    SELECT l.locality_id FROM locality l JOIN tree t ON l.parent_id = t.locality_id
),
latest AS (
    SELECT locality_id, indicator, max(year) AS year FROM demographic
    WHERE year <= coalesce($year, 9999) GROUP BY locality_id, indicator
)
SELECT d.locality_id, l.name AS locality_name, l.parent_id, d.year, d.indicator, d.value, d.source
FROM demographic d
JOIN latest USING (locality_id, indicator, year)
JOIN tree t ON t.locality_id = d.locality_id
JOIN locality l ON l.locality_id = d.locality_id
WHERE l.kind = 'ward'
ORDER BY l.name, d.indicator;
