-- Cases open at the end of $as_at (NULL = the last day in the data) per ward and service: the cells the public
-- view's rule for open cases sums up the place tree and over services (perf.access.disclosure.open_hidden).
-- Params: $as_at (date; NULL = the last day in the data).
WITH RECURSIVE
/* include: _area */,
/* include: _open_at */
SELECT locality_id AS place, service_id AS service, count(*)::BIGINT AS open_cases
FROM still_open
GROUP BY ALL
