-- Remove the stored version of each corrected contact (logged already); the insert puts it back.
DELETE FROM demand
WHERE demand_id IN (
    SELECT i.demand_id
    FROM incoming i
    JOIN demand d ON d.demand_id = i.demand_id
    WHERE i.service_id IS DISTINCT FROM d.service_id
        OR i.locality_id IS DISTINCT FROM d.locality_id
        OR i.channel IS DISTINCT FROM d.channel
        OR i.received_at IS DISTINCT FROM d.received_at
        OR i.demand_type IS DISTINCT FROM d.demand_type
        OR i.nature IS DISTINCT FROM d.nature
        OR i.case_id IS DISTINCT FROM d.case_id
);
