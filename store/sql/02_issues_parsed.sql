-- Parse each raw issue once, into exactly the typed values work_items needs (json_transform into
-- a flat struct costs a third of a MAP(VARCHAR, JSON) of every field). normalize() splices the
-- ids of the custom fields in _custom_fields in place of __custom_spec__ and __custom_map__.
-- The changelog is parsed in 03, from the newest copy of each issue only.
CREATE OR REPLACE TEMP TABLE _issues AS
SELECT
    source,
    team,
    item_id,
    fetched_at,
    raw_row,
    p.key,
    p.changelog.total AS changelog_total,
    p.fields AS f,
    __custom_map__ AS custom
FROM (
    SELECT
        source,
        team,
        id AS item_id,
        fetched_at,
        rowid AS raw_row,
        json_transform(payload, '{
            "key": "VARCHAR",
            "fields": {
                "summary": "VARCHAR", "created": "VARCHAR", "updated": "VARCHAR",
                "issuetype": {"name": "VARCHAR", "subtask": "BOOLEAN", "hierarchyLevel": "INTEGER"},
                "status": {"id": "VARCHAR", "name": "VARCHAR", "statusCategory": {"key": "VARCHAR"}},
                "resolution": {"name": "VARCHAR"},
                "parent": {
                    "key": "VARCHAR",
                    "fields": {"issuetype": {"name": "VARCHAR", "hierarchyLevel": "INTEGER"}}
                }
                __custom_spec__
            },
            "changelog": {"total": "BIGINT"}
        }') AS p
    FROM raw_jira_issues
);
