-- The oldest cases still open at a date, with their age so far in calendar and working days: the
-- work a manager would want to look at first.
-- Params: $service_id, $locality_id, $as_at (date; NULL = the last day in the data), $limit.
WITH RECURSIVE
/* include: _area */,
/* include: _open_at */
SELECT case_id, service_id, locality_id, channel, nature, started_at,
       as_at,
       age_days::BIGINT AS age_days,
       age_working_days::BIGINT AS age_working_days
FROM still_open
ORDER BY started_at, case_id
LIMIT CAST($limit AS BIGINT)
