-- One row per team and issue. Custom fields (Flagged, story points, DC's Epic Link) are found
-- through the field catalogue by name or schema (_custom_fields), never by a hard-coded id.
CREATE OR REPLACE TABLE work_items AS
WITH seen AS (
    -- history ids are unique per item in _histories (03 de-duplicates)
    SELECT source, item_id, count(*) AS n
    FROM _histories
    GROUP BY source, item_id
),
completed AS (
    SELECT source, issue_id AS item_id, fetched_at AS completed_at
    FROM raw_jira_changelog_fetches
)
SELECT
    i.source,
    i.team,
    i.item_id,
    i.key,
    i.f.issuetype.name AS type,
    coalesce(i.f.issuetype.subtask, false) AS is_subtask,
    coalesce(i.f.issuetype.hierarchyLevel = 1, false)
        OR lower(i.f.issuetype.name) = 'epic' AS is_epic,
    NOT (is_subtask OR is_epic) AS in_flow,
    i.f.summary AS summary,
    i.f.status.id AS status_id,
    i.f.status.name AS status_name,
    i.f.status.statusCategory.key AS status_category,
    i.f.resolution.name AS resolution,
    i.f.created::TIMESTAMPTZ AS created_at,
    i.f.updated::TIMESTAMPTZ AS updated_at,
    i.f.parent.key AS parent_key,
    CASE
        WHEN i.f.parent.fields.issuetype.hierarchyLevel = 1
            OR lower(i.f.parent.fields.issuetype.name) = 'epic'
            THEN i.f.parent.key
        ELSE i.custom[c.epic_link_field] ->> '$'
    END AS epic_key,
    TRY_CAST(i.custom[c.points_field] ->> '$' AS DOUBLE) AS story_points,
    coalesce(json_array_length(i.custom[c.flagged_field]) > 0, false) AS flagged_now,
    i.changelog_total,
    coalesce(seen.n, 0) AS changelog_seen,
    -- METRICS.md §1: facts need the complete history; a truncated one is reported, not trusted
    i.changelog_total IS NULL OR coalesce(seen.n, 0) >= i.changelog_total
        OR coalesce(completed.completed_at >= i.fetched_at, false) AS changelog_complete,
    i.fetched_at
FROM _issues AS i
LEFT JOIN _custom_fields AS c USING (source)
LEFT JOIN seen USING (source, item_id)
LEFT JOIN completed USING (source, item_id);
