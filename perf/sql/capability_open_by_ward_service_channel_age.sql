-- Cases open at the end of $as_at (NULL = the last day in the data) per ward, service, channel and age so far in
-- calendar and working days: the cells the public view's rule for open cases sums up the place tree, over services,
-- over channels and over age bands (perf.access.case_counts.open_cells, open_hidden).
-- Params: $as_at (date; NULL = the last day in the data), $service_id, $locality_id (NULL: every case).
WITH RECURSIVE
/* include: _area */,
/* include: _open_at */
SELECT locality_id AS place, service_id AS service, coalesce(channel, 'not recorded') AS channel,
       age_days::BIGINT AS age_days, age_working_days::BIGINT AS age_working_days, count(*)::BIGINT AS open_cases
FROM still_open
GROUP BY ALL
