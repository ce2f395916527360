-- The nature of demand, ranked within value and within failure demand, with each nature's share and
-- the cumulative share: the Pareto that shows which failure demand to design out first.
-- Ties in count are ordered by name so the ranking is stable.
-- Params: $service_id, $locality_id, $start, $end (as demand_by_period.sql).
WITH RECURSIVE
/* include: _area */,
/* include: _scoped_demand */,
counted AS (
    SELECT demand_type, nature, count(*) AS demand FROM scoped_demand GROUP BY ALL
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
