-- The measure catalogue with the purpose each belongs to and its strategic purpose.
-- $public_only = TRUE hides unpublished measures (the public view).
SELECT m.*, p.name AS purpose_name, p.kind AS purpose_kind,
       coalesce(p.parent_id, p.purpose_id) AS strategic_purpose_id,
       s.name AS strategic_purpose_name, s.portfolio
FROM measure m
JOIN purpose p ON p.purpose_id = m.purpose_id
LEFT JOIN purpose s ON s.purpose_id = coalesce(p.parent_id, p.purpose_id)
WHERE m.published OR NOT $public_only
ORDER BY coalesce(s.sort_order, 999), m.kind DESC, m.name;
