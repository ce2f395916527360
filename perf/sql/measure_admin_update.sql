-- Every editable field of a measure at once (the caller merges the changes into the stored row).
UPDATE measure SET
    name = $name, purpose_id = $purpose_id, kind = $kind, unit = $unit, frequency = $frequency,
    improvement = $improvement, aggregation = $aggregation, target = $target, owner = $owner,
    definition = $definition, source = $source, by_locality = $by_locality, dq_relevant = $dq_relevant,
    dq_well_defined = $dq_well_defined, dq_timely = $dq_timely, dq_reliable = $dq_reliable,
    dq_verifiable = $dq_verifiable, dq_accurate = $dq_accurate, published = $published, decimals = $decimals
WHERE measure_id = $measure_id;
