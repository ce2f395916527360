-- Completed cases in completion order with their end-to-end time in calendar and working days (as
-- _end_to_end.sql counts them), for a capability chart that draws every case.
-- Params: $service_id, $locality_id, $start, $end (completion dates, inclusive), $limit.
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_cases */,
/* include: _completed */,
/* include: _end_to_end */
SELECT
    case_id, service_id, locality_id, channel, nature,
    started_at, completed_at,
    end_to_end_days::BIGINT AS end_to_end_days,
    end_to_end_working_days::BIGINT AS end_to_end_working_days
FROM end_to_end
ORDER BY completed_at, case_id
LIMIT CAST($limit AS BIGINT)
