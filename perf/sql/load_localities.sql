-- Places an upload may name, by id or by name.
SELECT locality_id, name, kind
FROM locality
ORDER BY locality_id;
