-- Demand per period and channel, split into value and failure demand: which channels carry the
-- failure. Only period-channel pairs with contacts are returned.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_demand */
SELECT period_start, channel,
       (demand - failure_demand)::BIGINT AS value_demand, failure_demand::BIGINT AS failure_demand,
       demand::BIGINT AS demand, failure_demand / demand AS failure_share
FROM (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, channel,
           sum(demand) AS demand, sum(failure_demand) AS failure_demand
    FROM (  -- per day first: far cheaper than date_trunc on every contact
        SELECT received_at::DATE AS day, channel, count(*) AS demand,
               sum((demand_type = 'failure')::INTEGER) AS failure_demand
        FROM scoped_demand
        GROUP BY ALL
    )
    GROUP BY ALL
)
ORDER BY period_start, channel
