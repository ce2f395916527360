-- One signal item with its measure's frequency (for checking a phase date) and its status.
SELECT s.*, m.frequency, m.name AS measure_name
FROM signal_item s JOIN measure m USING (measure_id)
WHERE s.signal_id = $signal_id;
