-- How many cases were completed in scope: decides whether a capability chart draws every case or
-- weekly summaries. Params: $service_id, $locality_id, $start, $end (completion dates, inclusive).
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
)
SELECT count(*) AS completed_cases
FROM work_case AS c
WHERE c.completed_at IS NOT NULL
  AND (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
  AND (CAST($start AS DATE) IS NULL OR c.completed_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR c.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
  AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
       OR c.locality_id IN (SELECT locality_id FROM area))
