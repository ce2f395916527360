-- Classify the contacts of an upload (registered as `incoming`) against those stored, by demand_id.
WITH compared AS (
    SELECT d.demand_id IS NULL AS is_new,
           d.demand_id IS NOT NULL AND (
               i.service_id IS DISTINCT FROM d.service_id
               OR i.locality_id IS DISTINCT FROM d.locality_id
               OR i.channel IS DISTINCT FROM d.channel
               OR i.received_at IS DISTINCT FROM d.received_at
               OR i.demand_type IS DISTINCT FROM d.demand_type
               OR i.nature IS DISTINCT FROM d.nature
               OR i.case_id IS DISTINCT FROM d.case_id) AS is_corrected
    FROM incoming i
    LEFT JOIN demand d ON d.demand_id = i.demand_id
)
SELECT count(*) FILTER (WHERE is_new)::BIGINT AS new,
       count(*) FILTER (WHERE is_corrected)::BIGINT AS corrected,
       count(*) FILTER (WHERE NOT is_new AND NOT is_corrected)::BIGINT AS unchanged
FROM compared;
