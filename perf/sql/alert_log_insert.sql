-- One digest sent or tried.
INSERT INTO alert_log (owner, email, signal_ids, outcome, detail, tried_at)
VALUES ($owner, $email, $signal_ids, $outcome, $detail, $now);
