-- scoped_demand: the contacts for the chosen service ($service_id; NULL = all) in the chosen place
-- ($locality_id, with every place beneath it; NULL or 'ALL' = everywhere) received between $start
-- and $end (dates, inclusive; NULL leaves that end open). Needs `area` (_area.sql).
scoped_demand AS (
    SELECT *
    FROM demand
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR locality_id IN (SELECT locality_id FROM area))
)
