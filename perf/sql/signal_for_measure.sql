-- Every signal item of a measure in a place (open or closed), newest first, with its answer.
SELECT s.signal_id, s.rule, s.first_period, s.last_period, s.direction, s.side, s.found_at, s.status,
       s.closed_at, s.closed_by, s.closed_reason,
       a.cause_known, a.cause, a.action, a.outcome, a.exclude_from_limits, a.phase_starts_on,
       a.answered_by, a.answered_at
FROM signal_item s LEFT JOIN signal_answer a USING (signal_id)
WHERE s.measure_id = $measure_id AND s.locality_id = $locality_id
ORDER BY s.last_period DESC, s.signal_id DESC;
