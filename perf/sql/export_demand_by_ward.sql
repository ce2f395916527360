-- Customer demand per period ($granularity: 'month' or 'quarter'), service and ward, split into value and
-- failure demand. Counted in DuckDB from the contact-level table, which itself is never exported;
-- perf.output.export then blanks what the public Demand page hides. A ward, period and service with no
-- contacts of a type has no row (a zero).
SELECT date_trunc(CAST($granularity AS VARCHAR), d.received_at)::DATE AS period_start,
       d.service_id, s.name AS service_name,
       d.locality_id AS ward_id, l.name AS ward_name,
       d.demand_type,
       count(*)::BIGINT AS contacts
FROM demand AS d
LEFT JOIN service AS s USING (service_id)
LEFT JOIN locality AS l ON l.locality_id = d.locality_id
GROUP BY ALL
ORDER BY period_start, d.service_id, d.locality_id, d.demand_type;
