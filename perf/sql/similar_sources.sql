-- The sources the Similar councils page names: the metric's, the neighbours' and the population's.
SELECT source_id, name, licence, attribution, url FROM source
WHERE list_contains($source_ids::VARCHAR[], source_id) ORDER BY source_id;
