-- One measure's catalogue entry, for the forms that add to or change it.
SELECT measure_id, name, purpose_id, kind, unit, frequency, improvement, aggregation, target, owner,
       definition, source, by_locality, dq_relevant, dq_well_defined, dq_timely, dq_reliable,
       dq_verifiable, dq_accurate, published, decimals
FROM measure
WHERE measure_id = $measure_id;
