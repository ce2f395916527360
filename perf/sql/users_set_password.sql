-- A new password hash; a new password also clears failed attempts and any lock.
UPDATE app_user SET password_hash = $password_hash, failed_attempts = 0, locked_until = NULL
WHERE username = $username;
