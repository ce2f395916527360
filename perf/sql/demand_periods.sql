-- The periods demand_by_period.sql gives every service (and every service together, service '') between
-- $start and $end (dates, inclusive; NULL = open), by week, month and quarter: from the period holding the
-- service's first day of data in the range to the one holding its last, quiet periods included. One query
-- for the public view's group rule (perf.access.disclosure.demand_cells) in place of a demand_by_period a
-- service and length; tests/test_disclosure_places.py checks the two agree.
WITH coverage AS (  -- as demand_by_period.sql's: the days each service has any data, clipped to the range
    SELECT CASE WHEN grouping(service_id) = 1 THEN '' ELSE service_id END AS service,
           greatest(min(received_at)::DATE, coalesce(CAST($start AS DATE), min(received_at)::DATE)) AS first_day,
           least(max(received_at)::DATE, coalesce(CAST($end AS DATE), max(received_at)::DATE)) AS last_day
    FROM demand
    GROUP BY GROUPING SETS ((service_id), ())
),
lengths AS (  -- as demand_by_period.sql's step
    SELECT * FROM (VALUES ('week', INTERVAL 7 DAY), ('month', INTERVAL 1 MONTH), ('quarter', INTERVAL 3 MONTH))
        AS t(granularity, width)
)
SELECT l.granularity, c.service,
       unnest(generate_series(date_trunc(l.granularity, c.first_day), c.last_day, l.width))::DATE AS period_start
FROM coverage AS c
CROSS JOIN lengths AS l
WHERE c.first_day <= c.last_day
ORDER BY l.granularity, c.service, period_start
