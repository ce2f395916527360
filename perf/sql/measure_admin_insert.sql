-- A new measure in the catalogue, with its definition and six data-quality notes.
INSERT INTO measure (measure_id, name, purpose_id, kind, unit, frequency, improvement, aggregation, target,
                     owner, definition, source, by_locality, dq_relevant, dq_well_defined, dq_timely,
                     dq_reliable, dq_verifiable, dq_accurate, published, decimals)
VALUES ($measure_id, $name, $purpose_id, $kind, $unit, $frequency, $improvement, $aggregation, $target,
        $owner, $definition, $source, $by_locality, $dq_relevant, $dq_well_defined, $dq_timely,
        $dq_reliable, $dq_verifiable, $dq_accurate, $published, $decimals);
