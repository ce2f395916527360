-- One line in the change log for a load that changed anything: which file, what it did, who, when.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
VALUES ($table_name, $row_key, NULL, NULL, $summary, $user, $now);
