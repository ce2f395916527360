-- Close an open item, saying who, when and why. Closed items are kept, never deleted.
UPDATE signal_item SET status = 'closed', closed_at = $now, closed_by = $user, closed_reason = $reason
WHERE signal_id = $signal_id AND status = 'open'
RETURNING signal_id;
