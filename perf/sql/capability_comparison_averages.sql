-- One view's averages as the public before/after comparison and Side by side show them, in calendar and in working
-- days at once (perf.access.averages): the cases completed before a change, on or after it, and all of them, each
-- with its count, mean and mean moving range between successive cases in completion order (a side's moving ranges
-- are between its own cases, as capability_phase_stats.sql's; all cases' run across the change, as
-- capability_breakdown.sql's).
-- Params: $service_id, $locality_id, $start, $end (completion dates), $change_on (DATE).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_cases */,
/* include: _completed */,
/* include: _end_to_end */,
timed AS (
    SELECT case_id, completed_at,
           CASE WHEN completed_at::DATE < CAST($change_on AS DATE) THEN 'before' ELSE 'after' END AS side,
           unnest(['calendar', 'working']) AS day_count,
           unnest([end_to_end_days, end_to_end_working_days])::INTEGER AS days
    FROM end_to_end
),
moving AS (
    SELECT side, day_count, days,
           abs(days - lag(days) OVER (PARTITION BY day_count, side ORDER BY completed_at, case_id)) AS side_range,
           abs(days - lag(days) OVER (PARTITION BY day_count ORDER BY completed_at, case_id)) AS whole_range
    FROM timed
)
SELECT day_count, side AS part, count(*) AS cases, avg(days) AS mean, avg(side_range) AS mean_moving_range
FROM moving GROUP BY ALL
UNION ALL
SELECT day_count, 'whole' AS part, count(*) AS cases, avg(days) AS mean, avg(whole_range) AS mean_moving_range
FROM moving GROUP BY ALL
ORDER BY day_count, part
