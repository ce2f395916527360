-- Census residents (2011 and 2021) of a list of councils.
SELECT area_code, year, population FROM area_population
WHERE list_contains($area_codes::VARCHAR[], area_code) ORDER BY area_code, year;
