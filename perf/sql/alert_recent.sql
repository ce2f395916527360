-- The latest digests sent or tried, newest first.
SELECT alert_id, owner, email, signal_ids, outcome, detail, tried_at
FROM alert_log ORDER BY tried_at DESC, alert_id DESC LIMIT $limit;
