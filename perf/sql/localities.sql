-- Every place a figure can be for, whole area first, then councils, localities and wards.
SELECT l.locality_id, l.name, l.kind, l.parent_id, l.council_id, l.code, l.vintage, l.councillors,
       l.grid_x, l.grid_y
FROM locality l
ORDER BY CASE l.kind WHEN 'area' THEN 0 WHEN 'council' THEN 1 WHEN 'locality' THEN 2 ELSE 3 END,
         l.council_id, l.name;
