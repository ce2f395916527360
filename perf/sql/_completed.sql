-- completed: the cases of `scoped_cases` completed between $start and $end (dates, inclusive;
-- NULL leaves that end open). A capability chart is in completion order, so the dates apply to it.
completed AS (
    SELECT *
    FROM scoped_cases AS c
    WHERE c.completed_at IS NOT NULL
      AND (CAST($start AS DATE) IS NULL OR c.completed_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR c.completed_at < CAST($end AS DATE) + INTERVAL 1 DAY)
)
