-- Work in progress: cases open at a date, counted by how old they are so far (calendar or working
-- days since the customer's first contact). A case is open at the end of `as_at` when it started
-- on or before that day and was not completed by then.
-- Params: $service_id, $locality_id, $as_at (date; NULL = the last day in the data), $working_days.
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
span AS (
    SELECT min(started_at)::DATE AS first_day,
           coalesce(CAST($as_at AS DATE), greatest(max(completed_at), max(started_at))::DATE) AS as_at,
           greatest(max(completed_at)::DATE, max(started_at)::DATE, CAST($as_at AS DATE)) AS last_day
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
open_cases AS (
    SELECT CASE WHEN CAST($working_days AS BOOLEAN)
                THEN lookup.working_index[span.as_at::DATE - lookup.first_day + 1] - lookup.working_index[c.started_at::DATE - lookup.first_day + 1]
                ELSE span.as_at - c.started_at::DATE END AS age_days
    FROM work_case AS c
    CROSS JOIN span
    CROSS JOIN lookup
    WHERE c.started_at < span.as_at + INTERVAL 1 DAY
      AND (c.completed_at IS NULL OR c.completed_at >= span.as_at + INTERVAL 1 DAY)
      AND (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR c.locality_id IN (SELECT locality_id FROM area))
)
SELECT (SELECT as_at FROM span) AS as_at, age_days::BIGINT AS age_days, count(*) AS open_cases
FROM open_cases
GROUP BY age_days
ORDER BY age_days
