-- The items already recorded for these measures (open or closed): a run that overlaps one is not new.
SELECT signal_id, measure_id, locality_id, rule, side, first_period, last_period, status
FROM signal_item
WHERE $all OR measure_id IN (SELECT unnest($measure_ids::VARCHAR[]));
