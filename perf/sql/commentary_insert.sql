-- What an officer says the data means, kept as plain text; returns the new id.
INSERT INTO commentary (measure_id, period_start, author, written_at, body, visibility)
VALUES ($measure_id, $period_start, $author, $written_at, $body, $visibility)
RETURNING commentary_id;
