-- ward_group: the place each ward rolls up to at the level $level ('ward', 'locality' or
-- 'council'); a ward with no ancestor at that level stands for itself.
up(ward_id, ancestor_id) AS (  -- every ward with itself and each of its ancestors
    SELECT locality_id, locality_id FROM locality WHERE kind = 'ward'
    UNION
    SELECT up.ward_id, l.parent_id FROM up JOIN locality AS l ON l.locality_id = up.ancestor_id
    WHERE l.parent_id IS NOT NULL
),
ward_group AS MATERIALIZED (
    SELECT up.ward_id,
           coalesce(max(up.ancestor_id) FILTER (WHERE g.kind = CAST($level AS VARCHAR)), up.ward_id) AS group_id
    FROM up JOIN locality AS g ON g.locality_id = up.ancestor_id
    GROUP BY up.ward_id
)
