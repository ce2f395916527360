-- latest_population: each place's most recent population_total (residents, for rates per 1,000).
latest_population AS (
    SELECT locality_id, arg_max(value, year) AS residents
    FROM demographic WHERE indicator = 'population_total'
    GROUP BY locality_id
)
