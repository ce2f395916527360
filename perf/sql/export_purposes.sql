-- The purposes published measures serve, strategic ones with their portfolio.
SELECT p.purpose_id, p.name, p.kind, p.parent_id, p.portfolio, p.description
FROM purpose AS p
WHERE p.purpose_id IN (
    SELECT m.purpose_id FROM measure AS m WHERE m.published
    UNION
    SELECT q.parent_id FROM measure AS m JOIN purpose AS q ON q.purpose_id = m.purpose_id WHERE m.published
)
ORDER BY coalesce(p.sort_order, 999), p.purpose_id;
