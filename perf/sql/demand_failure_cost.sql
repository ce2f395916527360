-- Failure demand per period and service with the service's handling time and cost rate, so the
-- caller can price it (and override either figure) without touching contact-level rows.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql).
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
scoped AS (
    SELECT service_id, received_at FROM demand
    WHERE demand_type = 'failure'
      AND (CAST($service_id AS VARCHAR) IS NULL OR service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR locality_id IN (SELECT locality_id FROM area))
),
counted AS (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, service_id,
           sum(failure_demand)::BIGINT AS failure_demand
    FROM (SELECT received_at::DATE AS day, service_id, count(*) AS failure_demand FROM scoped GROUP BY ALL)
    GROUP BY ALL
)
SELECT c.period_start, c.service_id, coalesce(s.name, c.service_id) AS service_name, c.failure_demand,
       s.handling_minutes, s.cost_per_hour
FROM counted AS c LEFT JOIN service AS s USING (service_id)
ORDER BY c.period_start, c.service_id
