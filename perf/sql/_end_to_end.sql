-- end_to_end: the cases of `completed` (_completed.sql) with their end-to-end time. Calendar days
-- count from the day of the customer's first contact to the day the need was met (same day = 0);
-- working days count the weekdays after the first day, up to and including the last, that are not
-- bank holidays. Also defines span (the days the case data covers), calendar and lookup.
span AS (  -- the days the case data covers: the working-day calendar's range
    SELECT min(started_at)::DATE AS first_day,
           greatest(max(completed_at), max(started_at))::DATE AS last_day
    FROM work_case
),
/* include: _working_days */,
end_to_end AS (
    SELECT c.*,
           c.completed_at::DATE - c.started_at::DATE AS end_to_end_days,
           lookup.working_index[c.completed_at::DATE - lookup.first_day + 1]
               - lookup.working_index[c.started_at::DATE - lookup.first_day + 1] AS end_to_end_working_days
    FROM completed AS c
    CROSS JOIN lookup
)
