-- Remove the stored version of each corrected case (logged already); the insert puts it back.
DELETE FROM work_case
WHERE case_id IN (
    SELECT i.case_id
    FROM incoming i
    JOIN work_case w ON w.case_id = i.case_id
    WHERE i.service_id IS DISTINCT FROM w.service_id
        OR i.locality_id IS DISTINCT FROM w.locality_id
        OR i.channel IS DISTINCT FROM w.channel
        OR i.nature IS DISTINCT FROM w.nature
        OR i.started_at IS DISTINCT FROM w.started_at
        OR i.completed_at IS DISTINCT FROM w.completed_at
);
