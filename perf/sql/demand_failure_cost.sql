-- Failure demand per period and service with the service's handling time and cost rate, so the
-- caller can price it (and override either figure) without touching contact-level rows.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_demand */,
counted AS (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, service_id,
           sum(failure_demand)::BIGINT AS failure_demand
    FROM (SELECT received_at::DATE AS day, service_id, count(*) AS failure_demand
          FROM scoped_demand WHERE demand_type = 'failure' GROUP BY ALL)
    GROUP BY ALL
)
SELECT c.period_start, c.service_id, coalesce(s.name, c.service_id) AS service_name, c.failure_demand,
       s.handling_minutes, s.cost_per_hour
FROM counted AS c LEFT JOIN service AS s USING (service_id)
ORDER BY c.period_start, c.service_id
