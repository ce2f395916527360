-- One setting of the database (meta is a key-value table).
INSERT OR REPLACE INTO meta VALUES ($key, $value)
