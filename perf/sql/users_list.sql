-- Every user for the manage-users page; the password hash never leaves the database here.
SELECT username, display_name, role, created_at, failed_attempts, locked_until
FROM app_user
ORDER BY role DESC, username;
