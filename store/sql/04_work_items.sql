-- One row per team and issue. Custom fields (Flagged, story points, DC's Epic Link) are found
-- through the field catalogue by name or schema, never by a hard-coded id.
CREATE OR REPLACE TABLE work_items AS
WITH custom AS (
    SELECT
        source,
        min(id) FILTER (WHERE lower(payload ->> 'name') = 'flagged') AS flagged_field,
        min(id) FILTER (
            WHERE payload -> 'schema' ->> 'custom' = 'com.pyxis.greenhopper.jira:gh-epic-link'
        ) AS epic_link_field,
        min(id) FILTER (
            WHERE payload -> 'schema' ->> 'custom' = 'com.pyxis.greenhopper.jira:jsw-story-points'
               OR lower(payload ->> 'name') IN ('story points', 'story point estimate')
        ) AS points_field
    FROM raw_jira_fields
    GROUP BY source
),
seen AS (
    SELECT source, item_id, count(DISTINCT history_id) AS n
    FROM _histories
    GROUP BY source, item_id
),
completed AS (
    SELECT source, issue_id AS item_id, fetched_at AS completed_at
    FROM raw_jira_changelog_fetches
),
fields AS (
    SELECT
        i.source, i.team, i.item_id, i.fetched_at, i.p.key AS key, i.p.changelog.total AS total,
        i.p.fields AS f, c.flagged_field, c.epic_link_field, c.points_field
    FROM _issues AS i
    LEFT JOIN custom AS c USING (source)
)
SELECT
    source,
    team,
    item_id,
    key,
    f['issuetype'] ->> 'name' AS type,
    coalesce((f['issuetype'] ->> 'subtask')::BOOLEAN, false) AS is_subtask,
    coalesce((f['issuetype'] ->> 'hierarchyLevel')::INTEGER = 1, false)
        OR lower(f['issuetype'] ->> 'name') = 'epic' AS is_epic,
    NOT (is_subtask OR is_epic) AS in_flow,
    f['summary'] ->> '$' AS summary,
    f['status'] ->> 'id' AS status_id,
    f['status'] ->> 'name' AS status_name,
    f['status'] -> 'statusCategory' ->> 'key' AS status_category,
    f['resolution'] ->> 'name' AS resolution,
    (f['created'] ->> '$')::TIMESTAMPTZ AS created_at,
    (f['updated'] ->> '$')::TIMESTAMPTZ AS updated_at,
    f['parent'] ->> 'key' AS parent_key,
    CASE
        WHEN (f['parent'] -> 'fields' -> 'issuetype' ->> 'hierarchyLevel')::INTEGER = 1
            OR lower(f['parent'] -> 'fields' -> 'issuetype' ->> 'name') = 'epic'
            THEN f['parent'] ->> 'key'
        ELSE f[epic_link_field] ->> '$'
    END AS epic_key,
    TRY_CAST(f[points_field] ->> '$' AS DOUBLE) AS story_points,
    coalesce(json_array_length(f[flagged_field]) > 0, false) AS flagged_now,
    total AS changelog_total,
    coalesce(seen.n, 0) AS changelog_seen,
    -- METRICS.md §1: facts need the complete history; a truncated one is reported, not trusted
    total IS NULL OR coalesce(seen.n, 0) >= total
        OR coalesce(completed.completed_at >= fetched_at, false) AS changelog_complete,
    fetched_at
FROM fields
LEFT JOIN seen USING (source, item_id)
LEFT JOIN completed USING (source, item_id);
