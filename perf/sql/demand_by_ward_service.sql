-- Contacts per ward, service and period received between $start and $end (dates, inclusive; NULL = open),
-- split into value and failure demand: the cells the public view's group rule sums up the place tree
-- and over services (perf.access.disclosure.group_ladders). Only ward-period-service cells with contacts.
-- Params: $start, $end, $granularity ('week', 'month', 'quarter').
SELECT date_trunc(CAST($granularity AS VARCHAR), received_at::DATE)::DATE AS period_start,
       locality_id AS place, service_id AS service,
       (count(*) - sum((demand_type = 'failure')::INTEGER))::BIGINT AS value_demand,
       sum((demand_type = 'failure')::INTEGER)::BIGINT AS failure_demand
FROM demand
WHERE (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
GROUP BY ALL
