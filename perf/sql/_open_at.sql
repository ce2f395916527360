-- still_open: the cases of the chosen service and place (_case_scope.sql) open at the end of
-- span.as_at ($as_at; NULL = the last day in the data), that is started on or before that day and
-- not completed by then, with their age so far in calendar days (age_days) and working days
-- (age_working_days, as in _working_days.sql). It reads work_case itself rather than scoped_cases:
-- with every condition in one WHERE, capability_oldest_open's top 20 is 3% quicker.
span AS (  -- the working-day calendar's range reaches as_at, even past the data
    SELECT min(started_at)::DATE AS first_day,
           coalesce(CAST($as_at AS DATE), greatest(max(completed_at), max(started_at))::DATE) AS as_at,
           greatest(max(completed_at)::DATE, max(started_at)::DATE, CAST($as_at AS DATE)) AS last_day
    FROM work_case
),
/* include: _working_days */,
still_open AS (
    SELECT c.*,
           span.as_at,
           span.as_at - c.started_at::DATE AS age_days,
           lookup.working_index[span.as_at::DATE - lookup.first_day + 1]
               - lookup.working_index[c.started_at::DATE - lookup.first_day + 1] AS age_working_days
    FROM work_case AS c
    CROSS JOIN span
    CROSS JOIN lookup
    WHERE c.started_at < span.as_at + INTERVAL 1 DAY
      AND (c.completed_at IS NULL OR c.completed_at >= span.as_at + INTERVAL 1 DAY)
      AND /* include: _case_scope */
)
