-- The cases (alias c) of the chosen service ($service_id; NULL = all) in the chosen place
-- ($locality_id, with every place beneath it; NULL or 'ALL' = everywhere): a condition, for a WHERE
-- clause. Needs `area` (_area.sql).
(CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
