-- Changelog items that the metrics use: status, Flagged and resolution changes, numbered per item
-- and field in time order (ties broken by the lower history id as a number, then item order), with
-- the time of the next change of the same field (the end of the interval it opens; NULL if last).
-- The struct fields are projected before the window, so it sorts narrow rows.
CREATE OR REPLACE TABLE status_changes AS
WITH flagged AS (
    SELECT source, min(id) FILTER (WHERE lower(payload ->> 'name') = 'flagged') AS field_id
    FROM raw_jira_fields
    GROUP BY source
),
items AS (
    SELECT
        h.source, h.item_id, h.history_id, h.changed_at,
        unnest(h.items) AS it,
        unnest(range(len(h.items))) AS item_index
    FROM _histories AS h
),
typed AS (
    SELECT
        i.source, i.item_id, i.history_id, i.item_index, i.changed_at,
        CASE
            WHEN lower(it.field) = 'status' THEN 'status'
            WHEN lower(it.field) = 'resolution' THEN 'resolution'
            WHEN lower(it.field) = 'flagged' OR it.fieldId = f.field_id THEN 'flagged'
        END AS field,
        it."from" AS from_id, it.fromString AS from_name, it."to" AS to_id, it.toString AS to_name
    FROM items AS i
    LEFT JOIN flagged AS f USING (source)
)
SELECT *, row_number() OVER w AS seq, lead(changed_at) OVER w AS next_at
FROM typed
WHERE field IS NOT NULL
WINDOW w AS (
    PARTITION BY source, item_id, field
    ORDER BY changed_at, TRY_CAST(history_id AS BIGINT), history_id, item_index
);
