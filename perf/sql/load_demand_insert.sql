-- Add every contact not stored yet (new ones, and corrected ones just removed).
INSERT INTO demand (demand_id, service_id, locality_id, channel, received_at, demand_type, nature, case_id)
SELECT i.demand_id, i.service_id, i.locality_id, i.channel, i.received_at, i.demand_type, i.nature, i.case_id
FROM incoming i
WHERE NOT EXISTS (SELECT 1 FROM demand d WHERE d.demand_id = i.demand_id);
