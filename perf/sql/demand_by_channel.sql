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
SELECT
    date_trunc(CAST($granularity AS VARCHAR), received_at)::DATE AS period_start,
    channel,
    count(*) FILTER (WHERE demand_type = 'value') AS value_demand,
    count(*) FILTER (WHERE demand_type = 'failure') AS failure_demand,
    count(*) AS demand,
    count(*) FILTER (WHERE demand_type = 'failure') / count(*) AS failure_share
FROM scoped
GROUP BY ALL
ORDER BY period_start, channel
