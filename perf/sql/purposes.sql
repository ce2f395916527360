-- Strategic purposes first (in their council order), each followed by its operational purposes.
SELECT p.purpose_id, p.name, p.kind, p.parent_id, p.portfolio, p.service, p.team, p.description,
       coalesce(p.parent_id, p.purpose_id) AS strategic_purpose_id
FROM purpose p
LEFT JOIN purpose s ON s.purpose_id = coalesce(p.parent_id, p.purpose_id)
ORDER BY coalesce(s.sort_order, 999), s.name, p.kind DESC, coalesce(p.sort_order, 999), p.name;
