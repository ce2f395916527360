-- Earlier Check–Plan–Do reviews of one measure, newest first.
SELECT review_id, measure_id, change_date, decision, actions, reviewed_by, reviewed_at
FROM review WHERE measure_id = $measure_id ORDER BY reviewed_at DESC, review_id DESC;
