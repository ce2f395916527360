-- Demand per period and channel, split into value and failure demand: which channels carry the
-- failure. Only period-channel pairs with contacts are returned.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql).
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
scoped AS (
    SELECT received_at, channel, demand_type FROM demand
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR locality_id IN (SELECT locality_id FROM area))
)
SELECT period_start, channel,
       (demand - failure_demand)::BIGINT AS value_demand, failure_demand::BIGINT AS failure_demand,
       demand::BIGINT AS demand, failure_demand / demand AS failure_share
FROM (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, channel,
           sum(demand) AS demand, sum(failure_demand) AS failure_demand
    FROM (  -- per day first: far cheaper than date_trunc on every contact
        SELECT received_at::DATE AS day, channel, count(*) AS demand,
               sum((demand_type = 'failure')::INTEGER) AS failure_demand
        FROM scoped
        GROUP BY ALL
    )
    GROUP BY ALL
)
ORDER BY period_start, channel
