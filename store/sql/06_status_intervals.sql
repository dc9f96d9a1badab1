-- The status history as intervals [start_at, end_at): the initial status (the `from` of the first
-- change, or the current status without changes) from `created`, then one interval per change.
-- The last interval is open (end_at NULL); the metrics clip it at their `as_of`.
CREATE OR REPLACE TABLE status_intervals AS
WITH items AS (
    SELECT
        source, item_id,
        arg_max(created_at, fetched_at) AS created_at,
        arg_max(status_id, fetched_at) AS status_id,
        arg_max(status_name, fetched_at) AS status_name
    FROM work_items
    GROUP BY source, item_id
),
changes AS (
    SELECT source, item_id, seq, changed_at, from_id, from_name, to_id, to_name, next_at
    FROM status_changes
    WHERE field = 'status'
)
SELECT
    i.source,
    i.item_id,
    0 AS seq,
    coalesce(c.from_id, i.status_id) AS status_id,
    coalesce(c.from_name, i.status_name) AS status_name,
    i.created_at AS start_at,
    c.changed_at AS end_at
FROM items AS i
LEFT JOIN changes AS c ON c.source = i.source AND c.item_id = i.item_id AND c.seq = 1
UNION ALL
SELECT source, item_id, seq, to_id, to_name, changed_at, next_at
FROM changes;
