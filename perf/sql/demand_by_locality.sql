-- Demand per period and place, at the chosen level of the geography (ward, locality or council),
-- split into value and failure demand, with residents for per-1,000 rates.
-- Contacts are counted per ward first (a cheap group on the raw column), then rolled up: a ward
-- with no ancestor at the chosen level stands for itself. Only pairs with contacts are returned.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql) and
-- $level ('ward', 'locality', 'council').
WITH RECURSIVE
/* include: _area */,
/* include: _ward_group */,
/* include: _scoped_demand */,
per_ward AS (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, locality_id,
           sum(demand - failure_demand) AS value_demand, sum(failure_demand) AS failure_demand
    FROM (  -- per day first: far cheaper than date_trunc on every contact
        SELECT received_at::DATE AS day, locality_id, count(*) AS demand,
               sum((demand_type = 'failure')::INTEGER) AS failure_demand
        FROM scoped_demand
        GROUP BY ALL
    )
    GROUP BY ALL
),
/* include: _latest_population */,
group_residents AS (  -- wards summed; the place's own figure when none of its wards has one
    SELECT g.group_id,
           coalesce(sum(p.residents), any_value(own.residents)) AS residents
    FROM (SELECT DISTINCT group_id FROM ward_group) AS g
    LEFT JOIN ward_group AS w ON w.group_id = g.group_id
    LEFT JOIN latest_population AS p ON p.locality_id = w.ward_id
    LEFT JOIN latest_population AS own ON own.locality_id = g.group_id
    GROUP BY g.group_id
),
rolled AS (
    SELECT d.period_start,
           coalesce(w.group_id, d.locality_id) AS locality_id,
           sum(d.value_demand)::BIGINT AS value_demand,
           sum(d.failure_demand)::BIGINT AS failure_demand
    FROM per_ward AS d LEFT JOIN ward_group AS w ON w.ward_id = d.locality_id
    GROUP BY ALL
)
SELECT
    r.period_start,
    r.locality_id,
    coalesce(l.name, r.locality_id) AS locality_name,
    r.value_demand,
    r.failure_demand,
    (r.value_demand + r.failure_demand)::BIGINT AS demand,
    r.failure_demand / nullif(r.value_demand + r.failure_demand, 0) AS failure_share,
    g.residents AS population,
    1000.0 * (r.value_demand + r.failure_demand) / nullif(g.residents, 0) AS demand_per_1000,
    1000.0 * r.failure_demand / nullif(g.residents, 0) AS failure_demand_per_1000
FROM rolled AS r
LEFT JOIN locality AS l ON l.locality_id = r.locality_id
LEFT JOIN group_residents AS g ON g.group_id = r.locality_id
ORDER BY r.period_start, r.locality_id
