-- Case-level capability per phase, in completion order: the mean end-to-end time and the mean
-- moving range between successive cases, from which the natural process limits follow
-- (mean +/- 2.66 x mean moving range, Wheeler). Computed here so a chart of weekly summaries can
-- still state what one case can expect without pulling every case into Python.
-- A case belongs to the phase in which it was completed, as on the chart.
-- Params: $service_id, $locality_id, $start, $end (completion dates), $working_days,
-- $phase_starts (DATE[], may be empty).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_cases */,
/* include: _completed */,
/* include: _end_to_end */,
phase_list AS (
    SELECT starts_on, row_number() OVER (ORDER BY starts_on) AS phase
    FROM (SELECT DISTINCT unnest(CAST($phase_starts AS DATE[])) AS starts_on)
),
timed AS (
    SELECT
        case_id,
        completed_at,
        completed_at::DATE AS completed_on,
        CASE WHEN CAST($working_days AS BOOLEAN) THEN end_to_end_working_days ELSE end_to_end_days END
            ::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM end_to_end
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
