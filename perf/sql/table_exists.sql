-- Whether the database has this table: one built before the table was added lacks it (store.has_table).
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = $name;
