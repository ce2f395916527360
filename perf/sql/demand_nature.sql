-- The nature of demand, ranked within value and within failure demand, with each nature's share and
-- the cumulative share: the Pareto that shows which failure demand to design out first.
-- Ties in count are ordered by name so the ranking is stable.
-- Params: $service_id, $locality_id, $start, $end (as demand_by_period.sql).
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
scoped AS (
    SELECT demand_type, nature FROM demand
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR locality_id IN (SELECT locality_id FROM area))
),
counted AS (
    SELECT demand_type, nature, count(*) AS demand FROM scoped GROUP BY ALL
)
SELECT
    demand_type,
    row_number() OVER (PARTITION BY demand_type ORDER BY demand DESC, nature) AS rank,
    nature,
    demand,
    demand / sum(demand) OVER (PARTITION BY demand_type) AS share,
    sum(demand) OVER (PARTITION BY demand_type ORDER BY demand DESC, nature
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        / sum(demand) OVER (PARTITION BY demand_type) AS cumulative_share
FROM counted
ORDER BY demand_type, rank  -- failure first (it sorts before value): it is what a team designs out
