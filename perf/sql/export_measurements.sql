-- Every stored value of every published measure, by period and place. Who entered a value and when
-- stay inside the council (entered_by names a person). unit, aggregation and locality_kind let
-- perf.export decide which cells are small counts to suppress.
SELECT v.measure_id, v.period_start, v.locality_id, l.name AS locality_name, l.kind AS locality_kind,
       v.value, v.numerator, v.denominator, m.unit, m.aggregation
FROM measurement AS v
JOIN measure AS m USING (measure_id)
LEFT JOIN locality AS l ON l.locality_id = v.locality_id
WHERE m.published
ORDER BY v.measure_id, v.period_start, v.locality_id;
