-- Capability side by side for each service, channel or place: completed cases, mean, median, 90th
-- percentile and longest end-to-end time, the case-level upper limit (from the mean moving range
-- in completion order within the group) and the cases still open at the end of the range.
-- Params: $service_id, $locality_id, $start, $end (completion dates), $working_days, $by
-- ('service', 'channel', 'ward', 'locality', 'council').
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
ward_group AS MATERIALIZED (
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
lookup AS (  -- the index as a list read by position: far cheaper than two joins per case
    SELECT list(working_index ORDER BY day) AS working_index, min(day) AS first_day FROM calendar
),
in_scope AS (
    SELECT c.*,
           CASE CAST($by AS VARCHAR)
               WHEN 'service' THEN c.service_id
               WHEN 'channel' THEN coalesce(c.channel, 'not recorded')
               WHEN 'ward' THEN c.locality_id
               ELSE coalesce(w.group_id, c.locality_id)
           END AS group_id
    FROM work_case AS c
    LEFT JOIN ward_group AS w ON w.ward_id = c.locality_id
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
),
timed AS (
    SELECT i.group_id, i.case_id, i.completed_at,
           CASE WHEN CAST($working_days AS BOOLEAN)
                THEN lookup.working_index[i.completed_at::DATE - lookup.first_day + 1] - lookup.working_index[i.started_at::DATE - lookup.first_day + 1]
                ELSE i.completed_at::DATE - i.started_at::DATE END::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM in_scope AS i
    CROSS JOIN lookup
    WHERE i.completed_at IS NOT NULL
      AND (CAST($start AS DATE) IS NULL OR i.completed_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR i.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
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
    FROM in_scope AS i, span
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
