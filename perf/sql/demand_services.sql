-- Every service with case-level data: its operational and strategic purpose (for the purpose
-- filter) and its cost figures (for the cost of failure demand).
SELECT s.service_id, s.name, s.purpose_id, p.parent_id AS strategic_purpose_id,
       s.handling_minutes, s.cost_per_hour
FROM service AS s
LEFT JOIN purpose AS p USING (purpose_id)
ORDER BY s.name
