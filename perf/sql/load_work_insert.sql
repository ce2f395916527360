-- Add every case not stored yet (new ones, and corrected ones just removed).
INSERT INTO work_case (case_id, service_id, locality_id, channel, nature, started_at, completed_at)
SELECT i.case_id, i.service_id, i.locality_id, i.channel, i.nature, i.started_at, i.completed_at
FROM incoming i
WHERE NOT EXISTS (SELECT 1 FROM work_case w WHERE w.case_id = i.case_id);
