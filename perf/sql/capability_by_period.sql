-- End-to-end time of the cases completed in each period: count, mean, median and 90th percentile
-- (linear interpolation, as pandas' default quantile), optionally per service, channel or place.
-- Params: $service_id, $locality_id, $start, $end (completion dates, inclusive), $granularity,
-- $working_days (true = working days, false = calendar days), $by (NULL, 'service', 'channel',
-- 'ward', 'locality', 'council').
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
up(ward_id, ancestor_id) AS (
    SELECT locality_id, locality_id FROM locality WHERE kind = 'ward'
    UNION
    SELECT up.ward_id, l.parent_id FROM up JOIN locality AS l ON l.locality_id = up.ancestor_id
    WHERE l.parent_id IS NOT NULL
),
ward_group AS (  -- each ward's place at the chosen level; itself when it has none
    SELECT up.ward_id,
           coalesce(max(up.ancestor_id) FILTER (WHERE g.kind = CAST($by AS VARCHAR)), up.ward_id) AS group_id
    FROM up JOIN locality AS g ON g.locality_id = up.ancestor_id
    GROUP BY up.ward_id
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
timed AS (
    SELECT
        date_trunc(CAST($granularity AS VARCHAR), c.completed_at)::DATE AS period_start,
        CASE CAST($by AS VARCHAR)
            WHEN 'service' THEN c.service_id
            WHEN 'channel' THEN coalesce(c.channel, 'not recorded')
            WHEN 'ward' THEN c.locality_id
            WHEN 'locality' THEN coalesce(w.group_id, c.locality_id)
            WHEN 'council' THEN coalesce(w.group_id, c.locality_id)
            ELSE 'all'
        END AS group_id,
        CASE WHEN CAST($working_days AS BOOLEAN) THEN ce.working_index - cs.working_index
             ELSE c.completed_at::DATE - c.started_at::DATE END AS days
    FROM work_case AS c
    JOIN calendar AS cs ON cs.day = c.started_at::DATE
    JOIN calendar AS ce ON ce.day = c.completed_at::DATE
    LEFT JOIN ward_group AS w ON w.ward_id = c.locality_id
    WHERE c.completed_at IS NOT NULL
      AND (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR c.completed_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR c.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
),
summary AS (
    SELECT period_start, group_id, count(*) AS cases, avg(days) AS mean,
           quantile_cont(days, [0.5, 0.9]) AS q
    FROM timed
    GROUP BY ALL
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
LEFT JOIN locality AS l ON CAST($by AS VARCHAR) IN ('ward', 'locality', 'council') AND l.locality_id = s.group_id
ORDER BY s.group_id, s.period_start
