-- Contacts per ward, service, demand type and nature received between $start and $end (dates, inclusive;
-- NULL = open), over the whole range: the cells the public Demand page's tables of natures add up
-- (perf.access.disclosure.nature_cells). Only cells with contacts.
-- Params: $start, $end.
SELECT locality_id AS place, service_id AS service, demand_type, nature, count(*)::BIGINT AS demand
FROM demand
WHERE (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
GROUP BY ALL
