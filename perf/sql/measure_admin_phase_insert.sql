-- Where the system was changed: limits are recalculated from this period on.
INSERT INTO phase (measure_id, starts_on, label, description)
VALUES ($measure_id, $starts_on, $label, $description);
