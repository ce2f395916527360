-- Commentary written on a signal item, kept as plain text.
INSERT INTO signal_note (signal_id, body, author, written_at) VALUES ($signal_id, $body, $author, $now);
