-- Capability side by side for each service, channel or place: completed cases, mean, median, 90th
-- percentile and longest end-to-end time, the case-level upper limit (from the mean moving range
-- in completion order within the group) and the cases still open at the end of the range.
-- Params: $service_id, $locality_id, $start, $end (completion dates), $working_days, $by
-- ('service', 'channel', 'ward', 'locality', 'council'), $level (= $by: the level wards roll up to).
WITH RECURSIVE
/* include: _area */,
/* include: _ward_group */,
scoped_cases AS (  -- as _scoped_cases.sql, each case with its group
    SELECT c.*,
           CASE CAST($by AS VARCHAR)
               WHEN 'service' THEN c.service_id
               WHEN 'channel' THEN coalesce(c.channel, 'not recorded')
               WHEN 'ward' THEN c.locality_id
               ELSE coalesce(w.group_id, c.locality_id)
           END AS group_id
    FROM work_case AS c
    LEFT JOIN ward_group AS w ON w.ward_id = c.locality_id
    WHERE /* include: _case_scope */
),
/* include: _completed */,
/* include: _end_to_end */,
timed AS (
    SELECT group_id, case_id, completed_at,
           CASE WHEN CAST($working_days AS BOOLEAN) THEN end_to_end_working_days ELSE end_to_end_days END
               ::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM end_to_end
),
moving AS (
    SELECT group_id, days,
           abs(days - lag(days) OVER (PARTITION BY group_id ORDER BY completed_at, case_id)) AS moving_range
    FROM timed
),
summary AS (
    SELECT group_id, count(*) AS cases, avg(days) AS mean, avg(moving_range) AS mean_moving_range,
           quantile_cont(days, [0.5, 0.9]) AS q, max(days) AS longest
    FROM moving GROUP BY group_id
),
open_now AS (  -- open at the end of the range (or of the data)
    SELECT i.group_id, count(*) AS open_cases
    FROM scoped_cases AS i, span
    WHERE i.started_at < coalesce(CAST($end AS DATE), span.last_day) + INTERVAL 1 DAY
      AND (i.completed_at IS NULL
           OR i.completed_at >= coalesce(CAST($end AS DATE), span.last_day) + INTERVAL 1 DAY)
    GROUP BY i.group_id
)
SELECT
    coalesce(s.group_id, o.group_id) AS group_id,
    coalesce(sv.name, l.name, s.group_id, o.group_id) AS group_name,
    coalesce(s.cases, 0) AS cases,
    s.mean,
    s.q[1] AS median,
    s.q[2] AS p90,
    s.longest,
    s.mean_moving_range,
    coalesce(o.open_cases, 0) AS open_cases
FROM summary AS s
FULL OUTER JOIN open_now AS o ON o.group_id = s.group_id
LEFT JOIN service AS sv ON CAST($by AS VARCHAR) = 'service' AND sv.service_id = coalesce(s.group_id, o.group_id)
LEFT JOIN locality AS l ON CAST($by AS VARCHAR) IN ('ward', 'locality', 'council')
                         AND l.locality_id = coalesce(s.group_id, o.group_id)
ORDER BY group_name
