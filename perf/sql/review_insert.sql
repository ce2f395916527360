-- A Check–Plan–Do review's decision about a change to a measure's system.
INSERT INTO review (measure_id, change_date, decision, actions, reviewed_by, reviewed_at)
VALUES ($measure_id, $change_date, $decision, $actions, $reviewed_by, $reviewed_at);
