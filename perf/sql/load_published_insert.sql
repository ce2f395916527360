-- Save an upload's figures (after load_published_delete removed those they replace).
INSERT INTO published_value (metric_id, area_code, period_start, value)
SELECT metric_id, area_code, period_start::DATE, value FROM incoming;
