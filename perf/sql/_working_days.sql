-- The working-day calendar from span.first_day to span.last_day (a CTE `span` must come before).
-- calendar.working_index counts the working days (weekdays that are not in bank_holiday) from the
-- start of the calendar up to and including `day`, so the working days after one date up to and
-- including another are a difference of two indexes, not a loop:
--     lookup.working_index[later::DATE - lookup.first_day + 1] - lookup.working_index[earlier::DATE - lookup.first_day + 1]
calendar AS (
    SELECT d.day,
           sum(CASE WHEN isodow(d.day) <= 5 AND h.holiday IS NULL THEN 1 ELSE 0 END)
               OVER (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS working_index
    FROM (SELECT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day FROM span) AS d
    LEFT JOIN bank_holiday AS h ON h.holiday = d.day
),
lookup AS (  -- the index as a list read by position: far cheaper than two joins per case
    SELECT list(working_index ORDER BY day) AS working_index, min(day) AS first_day FROM calendar
)
