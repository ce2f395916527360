-- Demand per period and place, at the chosen level of the geography (ward, locality or council),
-- split into value and failure demand, with residents for per-1,000 rates.
-- Contacts are counted per ward first (a cheap group on the raw column), then rolled up: a ward
-- with no ancestor at the chosen level stands for itself. Only pairs with contacts are returned.
-- Params: $service_id, $locality_id, $start, $end, $granularity (as demand_by_period.sql) and
-- $level ('ward', 'locality', 'council').
WITH RECURSIVE area(locality_id) AS (
    SELECT locality_id FROM locality WHERE locality_id = CAST($locality_id AS VARCHAR)
    UNION
    SELECT l.locality_id FROM locality AS l JOIN area AS a ON l.parent_id = a.locality_id
),
up(ward_id, ancestor_id) AS (  -- every ward with itself and each of its ancestors
    SELECT locality_id, locality_id FROM locality WHERE kind = 'ward'
    UNION
    SELECT up.ward_id, l.parent_id FROM up JOIN locality AS l ON l.locality_id = up.ancestor_id
    WHERE l.parent_id IS NOT NULL
),
ward_group AS (
    SELECT up.ward_id,
           coalesce(max(up.ancestor_id) FILTER (WHERE g.kind = CAST($level AS VARCHAR)), up.ward_id) AS group_id
    FROM up JOIN locality AS g ON g.locality_id = up.ancestor_id
    GROUP BY up.ward_id
),
scoped AS (
    SELECT received_at, locality_id, demand_type FROM demand
    WHERE (CAST($service_id AS VARCHAR) IS NULL OR service_id = CAST($service_id AS VARCHAR))
      AND (CAST($start AS DATE) IS NULL OR received_at >= CAST($start AS DATE))
      AND (CAST($end AS DATE) IS NULL OR received_at < CAST($end AS DATE) + INTERVAL 1 DAY)
      AND (CAST($locality_id AS VARCHAR) IS NULL OR CAST($locality_id AS VARCHAR) = 'ALL'
           OR locality_id IN (SELECT locality_id FROM area))
),
per_ward AS (
    SELECT date_trunc(CAST($granularity AS VARCHAR), day)::DATE AS period_start, locality_id,
           sum(demand - failure_demand) AS value_demand, sum(failure_demand) AS failure_demand
    FROM (  -- per day first: far cheaper than date_trunc on every contact
        SELECT received_at::DATE AS day, locality_id, count(*) AS demand,
               sum((demand_type = 'failure')::INTEGER) AS failure_demand
        FROM scoped
        GROUP BY ALL
    )
    GROUP BY ALL
),
latest_population AS (
    SELECT locality_id, arg_max(value, year) AS residents
    FROM demographic WHERE indicator = 'population_total'
    GROUP BY locality_id
),
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
