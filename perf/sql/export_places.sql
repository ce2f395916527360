-- The places figures are given for: the whole area, councils, localities and wards, with ONS codes.
SELECT locality_id, name, kind, parent_id, council_id, code, vintage
FROM locality
ORDER BY CASE kind WHEN 'area' THEN 0 WHEN 'council' THEN 1 WHEN 'locality' THEN 2 ELSE 3 END, locality_id;
