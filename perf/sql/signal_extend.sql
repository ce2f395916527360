-- An open signal whose run has grown (or shrunk) with the new data: the periods it covers now,
-- and the rules that fire in it.
UPDATE signal_item SET first_period = $first_period, last_period = $last_period, rule = $rule
WHERE signal_id = $signal_id AND status = 'open';
