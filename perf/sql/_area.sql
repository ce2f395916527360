-- area: the chosen place ($locality_id) and every place beneath it in the locality hierarchy
-- (parent_id). A query filters on it with
--     CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
--     OR locality_id IN (SELECT locality_id FROM area)
-- Include it first, after WITH RECURSIVE.
area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
)
