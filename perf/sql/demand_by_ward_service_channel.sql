-- Contacts per ward, service and channel received between $start and $end (dates, inclusive; NULL = open),
-- split into value and failure demand, over the whole range: the cells the public Demand page's totals
-- tables (by place, by channel) add up (perf.access.disclosure.demand_totals). Only cells with contacts.
-- Params: $start, $end.
SELECT locality_id AS place, service_id AS service, channel,
       (count(*) - sum((demand_type = 'failure')::INTEGER))::BIGINT AS value_demand,
       sum((demand_type = 'failure')::INTEGER)::BIGINT AS failure_demand
FROM demand
WHERE (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
GROUP BY ALL
