-- End-to-end time of the cases completed in each period: count, mean, median and 90th percentile
-- (linear interpolation, as pandas' default quantile), for all cases or per service, channel or
-- ward (groups that are columns of work_case; capability_by_period_place.sql rolls wards up to
-- localities or councils, which needs a join this common path does without).
-- Params: $service_id, $locality_id, $start, $end (completion dates, inclusive), $granularity,
-- $working_days (true = working days, false = calendar days), $by (NULL, 'service', 'channel', 'ward').
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
span AS (
    SELECT min(started_at)::DATE AS first_day,
           greatest(max(completed_at), max(started_at))::DATE AS last_day
    FROM work_case
),
calendar AS (
    SELECT d.day,
           sum(CASE WHEN isodow(d.day) <= 5 AND h.holiday IS NULL THEN 1 ELSE 0 END)
               OVER (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS working_index
    FROM (SELECT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day FROM span) AS d
    LEFT JOIN bank_holiday AS h ON h.holiday = d.day
),
lookup AS (  -- the index as a list read by position: far cheaper than two joins per case
    SELECT list(working_index ORDER BY day) AS working_index, min(day) AS first_day FROM calendar
),
timed AS (
    SELECT
        date_trunc(CAST($granularity AS VARCHAR), c.completed_at) AS period,
        CASE CAST($by AS VARCHAR)
            WHEN 'service' THEN c.service_id
            WHEN 'channel' THEN coalesce(c.channel, 'not recorded')
            WHEN 'ward' THEN c.locality_id
            ELSE 'all'
        END AS group_id,
        CASE WHEN CAST($working_days AS BOOLEAN)
             THEN lookup.working_index[c.completed_at::DATE - lookup.first_day + 1]
                  - lookup.working_index[c.started_at::DATE - lookup.first_day + 1]
             ELSE c.completed_at::DATE - c.started_at::DATE END::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM work_case AS c
    CROSS JOIN lookup
    WHERE c.completed_at IS NOT NULL
      AND (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR c.completed_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR c.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
),
summary AS (
    SELECT period::DATE AS period_start, group_id, count(*) AS cases, avg(days) AS mean,
           quantile_cont(days, [0.5, 0.9]) AS q
    FROM timed
    GROUP BY period, group_id
)
SELECT
    s.period_start,
    s.group_id,
    coalesce(sv.name, l.name, s.group_id) AS group_name,
    s.cases,
    s.mean,
    s.q[1] AS median,
    s.q[2] AS p90
FROM summary AS s
LEFT JOIN service AS sv ON CAST($by AS VARCHAR) = 'service' AND sv.service_id = s.group_id
LEFT JOIN locality AS l ON CAST($by AS VARCHAR) = 'ward' AND l.locality_id = s.group_id
ORDER BY s.group_id, s.period_start
