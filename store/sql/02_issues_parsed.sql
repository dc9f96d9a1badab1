-- Parse each raw issue once (yyjson is fast, but every -> re-parses: one json_transform instead).
-- Cloud v3 and Data Center v2 share this shape; the differences are resolved in work_items.
CREATE OR REPLACE TEMP TABLE _issues AS
SELECT
    r.source,
    r.team,
    r.id AS item_id,
    r.fetched_at,
    json_transform(r.payload, '{
        "key": "VARCHAR",
        "fields": "MAP(VARCHAR, JSON)",
        "changelog": {
            "total": "BIGINT",
            "histories": [{"id": "VARCHAR", "created": "VARCHAR", "items": [{
                "field": "VARCHAR", "fieldId": "VARCHAR", "from": "VARCHAR",
                "fromString": "VARCHAR", "to": "VARCHAR", "toString": "VARCHAR"}]}]
        }
    }') AS p
FROM raw_jira_issues AS r;
