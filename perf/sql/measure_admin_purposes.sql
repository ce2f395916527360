-- Purposes a measure can belong to.
SELECT purpose_id, name, kind
FROM purpose
ORDER BY coalesce(sort_order, 999), name;
