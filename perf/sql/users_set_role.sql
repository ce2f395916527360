-- Make a user an officer or an admin.
UPDATE app_user SET role = $role
WHERE username = $username;
