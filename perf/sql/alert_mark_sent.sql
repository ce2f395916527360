-- The items a digest told their owner about.
UPDATE signal_item SET notified_at = $now
WHERE signal_id IN (SELECT unnest($signal_ids::BIGINT[])) AND notified_at IS NULL;
