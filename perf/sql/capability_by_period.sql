-- End-to-end time of the cases completed in each period: count, mean, median and 90th percentile
-- (linear interpolation, as pandas' default quantile), for all cases or per service, channel or
-- ward (groups that are columns of work_case; capability_by_period_place.sql rolls wards up to
-- localities or councils, which needs a join this common path does without).
-- Params: $service_id, $locality_id, $start, $end (completion dates, inclusive), $granularity,
-- $working_days (true = working days, false = calendar days), $by (NULL, 'service', 'channel', 'ward').
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_cases */,
/* include: _completed */,
/* include: _end_to_end */,
timed AS (
    SELECT
        date_trunc(CAST($granularity AS VARCHAR), completed_at) AS period,
        CASE CAST($by AS VARCHAR)
            WHEN 'service' THEN service_id
            WHEN 'channel' THEN coalesce(channel, 'not recorded')
            WHEN 'ward' THEN locality_id
            ELSE 'all'
        END AS group_id,
        CASE WHEN CAST($working_days AS BOOLEAN) THEN end_to_end_working_days ELSE end_to_end_days END
            ::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM end_to_end
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
