-- New measures, their sources, councils kept under an old code, and the notes on code changes.
INSERT INTO source (source_id, name, licence, attribution)
SELECT DISTINCT source_id, source_name, 'as stated by the publisher', 'Source: ' || source_name
FROM new_metrics WHERE source_id NOT IN (SELECT source_id FROM source);
INSERT INTO published_metric (metric_id, name, unit, frequency, additive, missing_is_zero, per_1000, decimals,
                              definition, source_id)
SELECT metric_id, name, unit, frequency, additive, missing_is_zero, per_1000, decimals, definition, source_id
FROM new_metrics;
INSERT INTO area (area_code, name, tier, current)
SELECT area_code, name, tier, current FROM new_areas WHERE area_code NOT IN (SELECT area_code FROM area);
DELETE FROM published_note
WHERE (metric_id, area_code) IN (SELECT (metric_id, area_code) FROM new_notes);
INSERT INTO published_note (metric_id, area_code, note) SELECT metric_id, area_code, note FROM new_notes;
