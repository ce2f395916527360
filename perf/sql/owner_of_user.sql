-- The owners a signed-in user is: linked by username, or (single sign-on) by their email.
SELECT owner FROM owner
WHERE username = $username OR lower(email) = lower($username);
