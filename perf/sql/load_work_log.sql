-- Keep the old and new value of every corrected field of a case; row_key is the case_id.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
WITH pairs AS (
    SELECT i.case_id::VARCHAR AS row_key,
           w.service_id AS old_service_id, i.service_id AS new_service_id,
           w.locality_id AS old_locality_id, i.locality_id AS new_locality_id,
           w.channel AS old_channel, i.channel AS new_channel,
           w.nature AS old_nature, i.nature AS new_nature,
           w.started_at AS old_started_at, i.started_at AS new_started_at,
           w.completed_at AS old_completed_at, i.completed_at AS new_completed_at
    FROM incoming i
    JOIN work_case w ON w.case_id = i.case_id
), changes AS (
    SELECT row_key, 'service_id' AS column_name, old_service_id AS old_value, new_service_id AS new_value
    FROM pairs WHERE old_service_id IS DISTINCT FROM new_service_id
    UNION ALL SELECT row_key, 'locality_id', old_locality_id, new_locality_id
    FROM pairs WHERE old_locality_id IS DISTINCT FROM new_locality_id
    UNION ALL SELECT row_key, 'channel', old_channel, new_channel
    FROM pairs WHERE old_channel IS DISTINCT FROM new_channel
    UNION ALL SELECT row_key, 'nature', old_nature, new_nature
    FROM pairs WHERE old_nature IS DISTINCT FROM new_nature
    UNION ALL SELECT row_key, 'started_at', old_started_at::VARCHAR, new_started_at::VARCHAR
    FROM pairs WHERE old_started_at IS DISTINCT FROM new_started_at
    UNION ALL SELECT row_key, 'completed_at', old_completed_at::VARCHAR, new_completed_at::VARCHAR
    FROM pairs WHERE old_completed_at IS DISTINCT FROM new_completed_at
)
SELECT 'work_case', row_key, column_name, old_value, new_value, $user, $now
FROM changes
ORDER BY row_key, column_name;
