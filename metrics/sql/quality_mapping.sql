-- The workflow mapping in effect: every status the team's items visited, with its stage, whether
-- it is a waiting status, and where the stage came from:
--   config   the team's workflow in koers.toml names it
--   category not named: the Jira status category decides (new → backlog, indeterminate → in
--            progress, done → done)
--   name     the id is missing from the status catalogue, but a status of the same name exists:
--            its category decides
--   unknown  missing from the catalogue and not named anywhere: taken as backlog
-- `category` is the Jira category of the status's id (or, for an id missing from the catalogue,
-- of a status with the same name). `old_names` lists other names the changelog used for the same
-- status id (a renamed status), comma-separated, NULL if none.
WITH named AS (
    SELECT list_concat($done::VARCHAR[], $in_progress::VARCHAR[], $backlog::VARCHAR[]) AS names
),
visits AS (
    SELECT
        t.item_id, t.seq, t.status_id, t.status, t.stage, t.waiting, t.unknown_status,
        t.unmapped, t.category_default,
        list_contains(named.names, lower(t.status)) AS in_config,
        -- where in its item's history the visit falls (0 first … 1 last): orders the statuses
        coalesce(t.seq / nullif(max(t.seq) OVER (PARTITION BY t.item_id), 0), 0) AS position,
        s.status_name AS changelog_name
    FROM team_intervals AS t
    CROSS JOIN named
    LEFT JOIN status_intervals AS s
        ON s.source = $source AND s.item_id = t.item_id AND s.seq = t.seq
)
SELECT
    v.status,
    any_value(v.stage) AS stage,
    bool_or(v.waiting) AS waiting,
    CASE
        WHEN bool_or(in_config) THEN 'config'
        WHEN bool_or(category_default) THEN 'category'
        WHEN bool_or(unmapped) THEN 'unknown'
        ELSE 'name'
    END AS origin,
    any_value(coalesce(c.category, n.category)) AS category,
    string_agg(DISTINCT v.status_id, ', ' ORDER BY v.status_id) AS status_ids,
    bool_or(unknown_status) AS unknown_status,
    string_agg(DISTINCT v.changelog_name, ', ' ORDER BY v.changelog_name)
        FILTER (WHERE lower(v.changelog_name) <> lower(v.status)) AS old_names,
    count(DISTINCT v.item_id) FILTER (WHERE lower(v.changelog_name) <> lower(v.status))
        AS old_name_items,
    count(DISTINCT v.item_id) AS items
FROM visits AS v
LEFT JOIN jira_statuses AS c ON c.source = $source AND c.status_id = v.status_id
LEFT JOIN (
    SELECT lower(name) AS lname, any_value(category) AS category
    FROM jira_statuses
    WHERE source = $source
    GROUP BY lower(name)
) AS n ON c.status_id IS NULL AND n.lname = lower(v.status)
GROUP BY v.status
ORDER BY
    list_position(['backlog', 'in_progress', 'done'], any_value(v.stage)),
    avg(v.position),
    v.status;
