-- One purpose by id, to name it on a pack's title page (and to reject an unknown id).
-- Params: $purpose_id.
SELECT purpose_id, name, kind, parent_id, portfolio, description
FROM purpose
WHERE purpose_id = CAST($purpose_id AS VARCHAR);
