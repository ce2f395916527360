-- Keep the old and new value of every corrected field of a contact; row_key is the demand_id.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
WITH pairs AS (
    SELECT i.demand_id::VARCHAR AS row_key,
           d.service_id AS old_service_id, i.service_id AS new_service_id,
           d.locality_id AS old_locality_id, i.locality_id AS new_locality_id,
           d.channel AS old_channel, i.channel AS new_channel,
           d.received_at AS old_received_at, i.received_at AS new_received_at,
           d.demand_type AS old_demand_type, i.demand_type AS new_demand_type,
           d.nature AS old_nature, i.nature AS new_nature,
           d.case_id AS old_case_id, i.case_id AS new_case_id
    FROM incoming i
    JOIN demand d ON d.demand_id = i.demand_id
), changes AS (
    SELECT row_key, 'service_id' AS column_name, old_service_id AS old_value, new_service_id AS new_value
    FROM pairs WHERE old_service_id IS DISTINCT FROM new_service_id
    UNION ALL SELECT row_key, 'locality_id', old_locality_id, new_locality_id
    FROM pairs WHERE old_locality_id IS DISTINCT FROM new_locality_id
    UNION ALL SELECT row_key, 'channel', old_channel, new_channel
    FROM pairs WHERE old_channel IS DISTINCT FROM new_channel
    UNION ALL SELECT row_key, 'received_at', old_received_at::VARCHAR, new_received_at::VARCHAR
    FROM pairs WHERE old_received_at IS DISTINCT FROM new_received_at
    UNION ALL SELECT row_key, 'demand_type', old_demand_type, new_demand_type
    FROM pairs WHERE old_demand_type IS DISTINCT FROM new_demand_type
    UNION ALL SELECT row_key, 'nature', old_nature, new_nature
    FROM pairs WHERE old_nature IS DISTINCT FROM new_nature
    UNION ALL SELECT row_key, 'case_id', old_case_id::VARCHAR, new_case_id::VARCHAR
    FROM pairs WHERE old_case_id IS DISTINCT FROM new_case_id
)
SELECT 'demand', row_key, column_name, old_value, new_value, $user, $now
FROM changes
ORDER BY row_key, column_name;
