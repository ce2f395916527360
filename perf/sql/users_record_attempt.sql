-- The failed-sign-in count and lock after an attempt (0 and NULL after a success).
UPDATE app_user SET failed_attempts = $failed_attempts, locked_until = $locked_until
WHERE username = $username;
