-- Set an owner's email address and sign-in.
INSERT INTO owner (owner, email, username) VALUES ($owner, $email, $username)
ON CONFLICT (owner) DO UPDATE SET email = excluded.email, username = excluded.username;
