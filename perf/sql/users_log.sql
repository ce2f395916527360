-- A change to a user (created, role, password changed, unlocked): who did it and when. Never a password.
INSERT INTO change_log (table_name, row_key, column_name, old_value, new_value, changed_by, changed_at)
VALUES ('app_user', $row_key, $column_name, $old_value, $new_value, $user, $now);
