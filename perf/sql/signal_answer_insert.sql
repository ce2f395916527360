-- The answer to a signal item: who, when, cause, action and outcome.
INSERT INTO signal_answer (signal_id, cause_known, cause, action, outcome, exclude_from_limits,
                           phase_starts_on, answered_by, answered_at)
VALUES ($signal_id, $cause_known, $cause, $action, $outcome, $exclude_from_limits, $phase_starts_on,
        $user, $now);
