-- Services a case-level upload may name, by id or by name.
SELECT service_id, name
FROM service
ORDER BY service_id;
