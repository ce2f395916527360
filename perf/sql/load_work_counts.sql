-- Classify the cases of an upload (registered as `incoming`) against those stored, by case_id.
WITH compared AS (
    SELECT w.case_id IS NULL AS is_new,
           w.case_id IS NOT NULL AND (
               i.service_id IS DISTINCT FROM w.service_id
               OR i.locality_id IS DISTINCT FROM w.locality_id
               OR i.channel IS DISTINCT FROM w.channel
               OR i.nature IS DISTINCT FROM w.nature
               OR i.started_at IS DISTINCT FROM w.started_at
               OR i.completed_at IS DISTINCT FROM w.completed_at) AS is_corrected
    FROM incoming i
    LEFT JOIN work_case w ON w.case_id = i.case_id
)
SELECT count(*) FILTER (WHERE is_new)::BIGINT AS new,
       count(*) FILTER (WHERE is_corrected)::BIGINT AS corrected,
       count(*) FILTER (WHERE NOT is_new AND NOT is_corrected)::BIGINT AS unchanged
FROM compared;
