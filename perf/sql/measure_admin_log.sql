-- One change to the catalogue (a measure or phase added, a field changed): who and when.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
VALUES ($table_name, $row_key, $column_name, $old_value, $new_value, $user, $now);
