-- Items that never changed status up to $as_of: no status row in the changelog. Normal for new
-- backlog items; an item that is in progress or done without a single move was created that way
-- (an import, a copied issue) and starts its clock at creation.
SELECT
    f.key, f.type, f.status, f.stage, f.in_flow
FROM item_facts AS f
WHERE NOT EXISTS (
    SELECT 1
    FROM status_changes AS s
    WHERE s.source = $source AND s.item_id = f.item_id AND s.field = 'status'
        AND s.changed_at <= $as_of
)
ORDER BY
    list_position(['backlog', 'in_progress', 'done'], f.stage) DESC,
    regexp_extract(f.key, '^(.*)-', 1),
    TRY_CAST(regexp_extract(f.key, '-([0-9]+)$', 1) AS BIGINT),
    f.key;
