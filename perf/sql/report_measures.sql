-- The measures a briefing pack covers: a strategic (or operational) purpose, a portfolio or a
-- hand-picked list. A hand-picked list keeps the order it was given in; otherwise the catalogue's
-- order (strategic purposes in council order, strategic measures first).
-- $public_only = TRUE keeps published measures only (the public view can never reach the others).
-- Params: $purpose_id (NULL or 'all' = every purpose), $portfolio (NULL = any),
-- $measure_ids (VARCHAR[]; NULL = any), $public_only.
SELECT m.*, p.name AS purpose_name,
       coalesce(p.parent_id, p.purpose_id) AS strategic_purpose_id,
       s.name AS strategic_purpose_name, s.portfolio,
       src.name AS source_name, src.licence AS source_licence, src.attribution AS source_attribution
FROM measure AS m
JOIN purpose AS p ON p.purpose_id = m.purpose_id
LEFT JOIN purpose AS s ON s.purpose_id = coalesce(p.parent_id, p.purpose_id)
LEFT JOIN source AS src ON src.source_id = m.source_id
WHERE (m.published OR NOT CAST($public_only AS BOOLEAN))
  AND (CAST($purpose_id AS VARCHAR) IS NULL OR CAST($purpose_id AS VARCHAR) = 'all'
       OR p.purpose_id = CAST($purpose_id AS VARCHAR) OR p.parent_id = CAST($purpose_id AS VARCHAR))
  AND (CAST($portfolio AS VARCHAR) IS NULL OR s.portfolio = CAST($portfolio AS VARCHAR))
  AND (CAST($measure_ids AS VARCHAR[]) IS NULL OR list_contains(CAST($measure_ids AS VARCHAR[]), m.measure_id))
ORDER BY list_position(CAST($measure_ids AS VARCHAR[]), m.measure_id) NULLS LAST,
         coalesce(s.sort_order, 999), s.name, m.kind DESC, m.name;
