-- The measure catalogue with the purpose each belongs to, its strategic purpose, how fresh its data is
-- and, for real published figures, whose they are (source).
-- $public_only = TRUE hides unpublished measures (the public view).
WITH fresh AS (
    SELECT measure_id, max(period_start) AS latest_period, max(entered_at) AS last_entered, count(*) AS n_values
    FROM measurement GROUP BY measure_id
)
SELECT m.*, p.name AS purpose_name, p.kind AS purpose_kind,
       coalesce(p.parent_id, p.purpose_id) AS strategic_purpose_id,
       s.name AS strategic_purpose_name, s.portfolio,
       f.latest_period, f.last_entered, coalesce(f.n_values, 0) AS n_values,
       src.name AS source_name, src.licence AS source_licence, src.attribution AS source_attribution
FROM measure m
JOIN purpose p ON p.purpose_id = m.purpose_id
LEFT JOIN purpose s ON s.purpose_id = coalesce(p.parent_id, p.purpose_id)
LEFT JOIN fresh f ON f.measure_id = m.measure_id
LEFT JOIN source src ON src.source_id = m.source_id
WHERE m.published OR NOT $public_only
ORDER BY coalesce(s.sort_order, 999), m.kind DESC, m.name;
