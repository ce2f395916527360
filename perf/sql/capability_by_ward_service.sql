-- Cases completed per ward, service and period between $start and $end (completion dates, inclusive; NULL =
-- open), as the capability chart counts them (capability_by_period.sql: periods of the completion date): the
-- cells the public view's group rule sums up the place tree and over services
-- (perf.access.disclosure.group_ladders). Only ward-period-service cells with cases.
-- Params: $start, $end, $granularity ('week', 'month', 'quarter').
SELECT date_trunc(CAST($granularity AS VARCHAR), completed_at)::DATE AS period_start,
       locality_id AS place, service_id AS service, count(*)::BIGINT AS cases
FROM work_case
WHERE completed_at IS NOT NULL
  AND (CAST($start AS DATE) IS NULL OR completed_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
GROUP BY ALL
