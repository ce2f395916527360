-- Case-level capability per phase, in completion order: the mean end-to-end time and the mean
-- moving range between successive cases, from which the natural process limits follow
-- (mean +/- 2.66 x mean moving range, Wheeler). Computed here so a chart of weekly summaries can
-- still state what one case can expect without pulling every case into Python.
-- A case belongs to the phase in which it was completed, as on the chart.
-- Params: $service_id, $locality_id, $start, $end (completion dates), $working_days,
-- $phase_starts (DATE[], may be empty).
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
phase_list AS (
    SELECT starts_on, row_number() OVER (ORDER BY starts_on) AS phase
    FROM (SELECT DISTINCT unnest(CAST($phase_starts AS DATE[])) AS starts_on)
),
timed AS (
    SELECT
        c.case_id,
        c.completed_at,
        c.completed_at::DATE AS completed_on,
        CASE WHEN CAST($working_days AS BOOLEAN)
             THEN lookup.working_index[c.completed_at::DATE - lookup.first_day + 1] - lookup.working_index[c.started_at::DATE - lookup.first_day + 1]
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
staged AS (
    SELECT t.*, coalesce(p.phase, 0) AS phase, p.starts_on
    FROM timed AS t ASOF LEFT JOIN phase_list AS p ON t.completed_on >= p.starts_on
),
moving AS (
    SELECT phase, starts_on, completed_on, days,
           abs(days - lag(days) OVER (PARTITION BY phase ORDER BY completed_at, case_id)) AS moving_range
    FROM staged
)
SELECT
    phase,
    any_value(starts_on) AS starts_on,
    min(completed_on) AS first_completed,
    max(completed_on) AS last_completed,
    count(*) AS cases,
    avg(days) AS mean,
    avg(moving_range) AS mean_moving_range,
    quantile_cont(days, 0.5) AS median,
    quantile_cont(days, 0.9) AS p90,
    max(days) AS longest
FROM moving
GROUP BY phase
ORDER BY phase
