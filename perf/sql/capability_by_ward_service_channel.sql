-- Cases completed per ward, service and channel between $start and $end (completion dates, inclusive; NULL = open),
-- over the whole range: the cells the public Capability page's Side by side tables and its count of cases add up
-- (perf.access.disclosure.case_totals_hidden). Only cells with cases.
-- Params: $start, $end.
SELECT locality_id AS place, service_id AS service, coalesce(channel, 'not recorded') AS channel,
       count(*)::BIGINT AS cases
FROM work_case
WHERE completed_at IS NOT NULL
  AND (CAST($start AS DATE) IS NULL OR completed_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
GROUP BY ALL
