-- Signal items with everything a list, a digest or a pack says about them: the measure, its purpose
-- and portfolio, the place, the owner and their address, and the answer if there is one.
-- $status: 'open', or 'recent' (open, or closed on or after $since). $public_only hides unpublished measures.
SELECT s.signal_id, s.measure_id, m.name AS measure_name, m.unit, m.decimals, m.frequency, m.improvement,
       m.owner, o.email AS owner_email, o.username AS owner_username,
       coalesce(p.parent_id, p.purpose_id) AS purpose_id, sp.name AS purpose_name, sp.portfolio,
       s.locality_id, CASE WHEN s.locality_id = 'ALL' THEN 'Whole area' ELSE l.name END AS locality_name,
       s.rule, s.first_period, s.last_period, s.direction, s.side, s.found_at, s.found_by, s.status,
       s.closed_at, s.closed_by, s.closed_reason, s.notified_at,
       a.cause_known, a.cause, a.action, a.outcome, a.exclude_from_limits, a.phase_starts_on,
       a.answered_by, a.answered_at
FROM signal_item s
JOIN measure m USING (measure_id)
JOIN purpose p ON p.purpose_id = m.purpose_id
LEFT JOIN purpose sp ON sp.purpose_id = coalesce(p.parent_id, p.purpose_id)
LEFT JOIN locality l ON l.locality_id = s.locality_id
LEFT JOIN owner o ON o.owner = m.owner
LEFT JOIN signal_answer a ON a.signal_id = s.signal_id
WHERE (m.published OR NOT $public_only)
  AND (s.status = 'open' OR ($status = 'recent' AND s.closed_at >= $since))
ORDER BY s.found_at DESC, s.last_period DESC, s.signal_id DESC;
