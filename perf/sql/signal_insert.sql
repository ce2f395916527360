-- A newly found signal; returns its id.
INSERT INTO signal_item (measure_id, locality_id, rule, first_period, last_period, direction, side,
                         found_at, found_by, notified_at)
VALUES ($measure_id, $locality_id, $rule, $first_period, $last_period, $direction, $side,
        $found_at, $found_by, $notified_at)
RETURNING signal_id;
