-- scoped_cases: the cases of the chosen service ($service_id; NULL = all) in the chosen place
-- ($locality_id, with every place beneath it; NULL or 'ALL' = everywhere). Needs `area` (_area.sql).
scoped_cases AS (
    SELECT c.*
    FROM work_case AS c
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
)
