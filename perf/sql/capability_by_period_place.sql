-- End-to-end time of the cases completed in each period per locality or council (wards rolled up
-- through the locality hierarchy; a ward with no ancestor at that level stands for itself). As
-- capability_by_period.sql, with the ward-to-place join only this breakdown needs.
-- Params: $service_id, $locality_id, $start, $end, $granularity, $working_days, $level ('locality', 'council').
WITH RECURSIVE
/* include: _area */,
/* include: _ward_group */,
/* include: _scoped_cases */,
/* include: _completed */,
/* include: _end_to_end */,
timed AS (
    SELECT
        date_trunc(CAST($granularity AS VARCHAR), c.completed_at) AS period,
        coalesce(w.group_id, c.locality_id) AS group_id,
        CASE WHEN CAST($working_days AS BOOLEAN) THEN c.end_to_end_working_days ELSE c.end_to_end_days END
            ::INTEGER AS days  -- 4-byte integers sort faster for the quantiles
    FROM end_to_end AS c
    LEFT JOIN ward_group AS w ON w.ward_id = c.locality_id
),
summary AS (
    SELECT period::DATE AS period_start, group_id, count(*) AS cases, avg(days) AS mean,
           quantile_cont(days, [0.5, 0.9]) AS q
    FROM timed
    GROUP BY period, group_id
)
SELECT s.period_start, s.group_id, coalesce(l.name, s.group_id) AS group_name, s.cases, s.mean,
       s.q[1] AS median, s.q[2] AS p90
FROM summary AS s
LEFT JOIN locality AS l ON l.locality_id = s.group_id
ORDER BY s.group_id, s.period_start
