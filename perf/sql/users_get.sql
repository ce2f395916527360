-- One user, with the hash and lock state that signing in needs.
SELECT username, display_name, role, password_hash, created_at, failed_attempts, locked_until
FROM app_user
WHERE username = $username;
