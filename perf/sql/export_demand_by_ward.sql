-- Customer demand per month, service and ward, split into value and failure demand. Counted in
-- DuckDB from the contact-level table, which itself is never exported; perf.export then blanks
-- counts under 5. A ward, month and service with no contacts of a type has no row (a zero).
SELECT date_trunc('month', d.received_at)::DATE AS month_start,
       d.service_id, s.name AS service_name,
       d.locality_id AS ward_id, l.name AS ward_name,
       d.demand_type,
       count(*)::BIGINT AS contacts
FROM demand AS d
LEFT JOIN service AS s USING (service_id)
LEFT JOIN locality AS l ON l.locality_id = d.locality_id
GROUP BY ALL
ORDER BY month_start, d.service_id, d.locality_id, d.demand_type;
