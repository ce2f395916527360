-- Work in progress: cases open at a date, counted by how old they are so far (calendar or working
-- days since the customer's first contact). A case is open at the end of `as_at` when it started
-- on or before that day and was not completed by then.
-- Params: $service_id, $locality_id, $as_at (date; NULL = the last day in the data), $working_days.
WITH RECURSIVE
/* include: _area */,
/* include: _open_at */,
open_cases AS (
    SELECT CASE WHEN CAST($working_days AS BOOLEAN) THEN age_working_days ELSE age_days END AS age_days
    FROM still_open
)
SELECT (SELECT as_at FROM span) AS as_at, age_days::BIGINT AS age_days, count(*) AS open_cases
FROM open_cases
GROUP BY age_days
ORDER BY age_days
