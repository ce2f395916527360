-- A new officer or admin.
INSERT INTO app_user (username, display_name, role, password_hash, created_at, failed_attempts, locked_until)
VALUES ($username, $display_name, $role, $password_hash, $created_at, 0, NULL);
