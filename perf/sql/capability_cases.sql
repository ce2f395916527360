-- Completed cases in completion order with their end-to-end time, for a capability chart that
-- draws every case. Calendar days count from the day of the customer's first contact to the day
-- the need was met (same day = 0); working days count the weekdays after the first day, up to and
-- including the last, that are not bank holidays, from a cumulative working-day index so each case
-- is two lookups, not a loop.
-- Params: $service_id, $locality_id, $start, $end (completion dates, inclusive), $limit.
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
calendar AS (  -- working_index = working days from the start of the calendar up to and including `day`
    SELECT d.day,
           sum(CASE WHEN isodow(d.day) <= 5 AND h.holiday IS NULL THEN 1 ELSE 0 END)
               OVER (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS working_index
    FROM (SELECT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day FROM span) AS d
    LEFT JOIN bank_holiday AS h ON h.holiday = d.day
),
lookup AS (  -- the index as a list read by position: far cheaper than two joins per case
    SELECT list(working_index ORDER BY day) AS working_index, min(day) AS first_day FROM calendar
)
SELECT
    c.case_id, c.service_id, c.locality_id, c.channel, c.nature,
    c.started_at, c.completed_at,
    (c.completed_at::DATE - c.started_at::DATE)::BIGINT AS end_to_end_days,
    (lookup.working_index[c.completed_at::DATE - lookup.first_day + 1] - lookup.working_index[c.started_at::DATE - lookup.first_day + 1])::BIGINT AS end_to_end_working_days
FROM work_case AS c
CROSS JOIN lookup
WHERE c.completed_at IS NOT NULL
  AND (CAST($service_id AS VARCHAR) IS NULL OR c.service_id = CAST($service_id AS VARCHAR))
  AND (CAST($start AS DATE) IS NULL OR c.completed_at >= CAST($start AS DATE))
  AND (CAST($end AS DATE) IS NULL OR c.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
  AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
       OR c.locality_id IN (SELECT locality_id FROM area))
ORDER BY c.completed_at, c.case_id
LIMIT CAST($limit AS BIGINT)
