-- The first and last day with contacts, and with completed cases: where a page's period ends.
SELECT (SELECT min(received_at)::DATE FROM demand) AS first_contact,
       (SELECT max(received_at)::DATE FROM demand) AS last_contact,
       (SELECT min(completed_at)::DATE FROM work_case) AS first_completed,
       (SELECT greatest(max(completed_at), max(started_at))::DATE FROM work_case) AS last_case_day
