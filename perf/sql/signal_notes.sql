-- The commentary on a measure's signal items (or one item's, with $signal_id), oldest first.
SELECT n.note_id, n.signal_id, n.body, n.author, n.written_at
FROM signal_note n JOIN signal_item s USING (signal_id)
WHERE ($signal_id IS NULL OR n.signal_id = $signal_id)
  AND ($measure_id IS NULL OR s.measure_id = $measure_id)
ORDER BY n.written_at, n.note_id;
