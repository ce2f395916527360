-- The published measure catalogue for partners: what each measure is, who owns it, how good the
-- data is, whether its figures are real or illustrative and whose they are. Unpublished measures never
-- leave the council.
SELECT m.measure_id, m.name, m.purpose_id, p.name AS purpose_name,
       coalesce(p.parent_id, p.purpose_id) AS strategic_purpose_id, s.name AS strategic_purpose_name,
       s.portfolio, m.kind, m.unit, m.frequency, m.improvement, m.aggregation, m.target, m.decimals,
       m.owner, m.definition, m.source, m.by_locality,
       m.dq_relevant, m.dq_well_defined, m.dq_timely, m.dq_reliable, m.dq_verifiable, m.dq_accurate,
       CASE WHEN NOT m.is_real THEN 'illustrative' ELSE 'real' END AS data,
       src.name AS data_source, src.licence AS data_licence, src.attribution AS data_attribution
FROM measure AS m
JOIN purpose AS p ON p.purpose_id = m.purpose_id
LEFT JOIN purpose AS s ON s.purpose_id = coalesce(p.parent_id, p.purpose_id)
LEFT JOIN source AS src ON src.source_id = m.source_id
WHERE m.published
ORDER BY coalesce(s.sort_order, 999), m.measure_id;
