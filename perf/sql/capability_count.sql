-- How many cases were completed in scope: decides whether a capability chart draws every case or
-- weekly summaries. Params: $service_id, $locality_id, $start, $end (completion dates, inclusive).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_cases */,
/* include: _completed */
SELECT count(*) AS completed_cases
FROM completed
