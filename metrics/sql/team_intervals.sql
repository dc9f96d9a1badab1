-- The team's status intervals up to $as_of, each with its stage under the team's workflow.
-- A status is identified by id and named by its current name from the catalogue, so a renamed
-- status keeps its stage. Config names win; otherwise the Jira status category decides. A status
-- missing from the catalogue is matched by the changelog's name, else taken as backlog.
CREATE OR REPLACE TEMP TABLE team_intervals AS
WITH items AS (
    -- in_flow: the item may count in flow aggregates (not an epic or sub-task, complete history)
    SELECT item_id, in_flow AND changelog_complete AS in_flow
    FROM work_items
    WHERE source = $source AND team = $team AND created_at <= $as_of
),
catalogue AS (
    SELECT status_id, name, category FROM jira_statuses WHERE source = $source
),
catalogue_by_name AS (
    SELECT lower(name) AS lname, any_value(category) AS category
    FROM catalogue
    GROUP BY lower(name)
),
named AS (
    SELECT
        iv.item_id,
        iv.seq,
        iv.status_id,
        coalesce(c.name, iv.status_name) AS status,
        coalesce(c.category, n.category) AS category,
        c.status_id IS NULL AS unknown_status,
        iv.start_at,
        iv.end_at AS end_raw,
        items.in_flow
    FROM status_intervals AS iv
    JOIN items USING (item_id)
    LEFT JOIN catalogue AS c ON c.status_id = iv.status_id
    LEFT JOIN catalogue_by_name AS n ON c.status_id IS NULL AND n.lname = lower(iv.status_name)
    WHERE iv.source = $source AND iv.start_at <= $as_of
)
SELECT
    item_id,
    seq,
    status_id,
    status,
    CASE
        WHEN list_contains($done::VARCHAR[], lower(status)) THEN 'done'
        WHEN list_contains($in_progress::VARCHAR[], lower(status)) THEN 'in_progress'
        WHEN list_contains($backlog::VARCHAR[], lower(status)) THEN 'backlog'
        WHEN category = 'indeterminate' THEN 'in_progress'
        WHEN category = 'done' THEN 'done'
        ELSE 'backlog'
    END AS stage,
    list_contains($waiting::VARCHAR[], lower(status)) AS waiting,
    unknown_status AND category IS NULL
        AND NOT list_contains(
            list_concat($done::VARCHAR[], $in_progress::VARCHAR[], $backlog::VARCHAR[]),
            lower(status)
        ) AS unmapped,
    NOT unknown_status
        AND NOT list_contains(
            list_concat($done::VARCHAR[], $in_progress::VARCHAR[], $backlog::VARCHAR[]),
            lower(status)
        ) AS category_default,
    unknown_status,
    start_at,
    -- closed at $as_of: nothing after it counts
    CASE WHEN end_raw IS NULL OR end_raw > $as_of THEN $as_of ELSE end_raw END AS end_at,
    end_raw IS NULL OR end_raw > $as_of AS is_current,
    in_flow
FROM named;
