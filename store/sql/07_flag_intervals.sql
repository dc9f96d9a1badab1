-- When the Jira Flagged field was set, as intervals [start_at, end_at). Before its first change
-- the field had that change's `from` value; with no change at all its current value holds since
-- `created`. A change to an empty value clears it.
CREATE OR REPLACE TABLE flag_intervals AS
WITH items AS (
    SELECT
        source, item_id,
        arg_max(created_at, fetched_at) AS created_at,
        arg_max(flagged_now, fetched_at) AS flagged_now
    FROM work_items
    GROUP BY source, item_id
),
changes AS (
    SELECT
        source, item_id, seq, changed_at,
        coalesce(nullif(from_name, ''), nullif(from_id, '')) IS NOT NULL AS was_flagged,
        coalesce(nullif(to_name, ''), nullif(to_id, '')) IS NOT NULL AS is_flagged,
        next_at
    FROM status_changes
    WHERE field = 'flagged'
),
spans AS (
    SELECT
        i.source, i.item_id, i.created_at AS start_at, c.changed_at AS end_at,
        coalesce(c.was_flagged, i.flagged_now) AS flagged
    FROM items AS i
    LEFT JOIN changes AS c ON c.source = i.source AND c.item_id = i.item_id AND c.seq = 1
    UNION ALL
    SELECT source, item_id, changed_at, next_at, is_flagged
    FROM changes
)
SELECT source, item_id, start_at, end_at
FROM spans
WHERE flagged AND (end_at IS NULL OR end_at > start_at);
