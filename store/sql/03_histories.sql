-- Every changelog history once per issue: the embedded ones (an issue matched by two teams is read
-- once, from its newest copy) plus those fetched from the paged changelog endpoints, which complete
-- a truncated embedded changelog. Fetched pages may repeat a history, so de-duplicate on its id.
-- The embedded histories are parsed from the newest raw row only (no arg_max over nested lists),
-- and referenced once, so they stream into the table instead of being materialized as a CTE; the
-- anti join reads only the history ids of the issues that have fetched pages.
CREATE OR REPLACE TEMP TABLE _histories AS
WITH newest AS (
    SELECT arg_max(raw_row, fetched_at) AS raw_row
    FROM _issues
    GROUP BY source, item_id
),
embedded AS (
    SELECT
        r.source,
        r.id AS item_id,
        unnest(json_transform(r.payload, '{"changelog": {"histories": [{
            "id": "VARCHAR", "created": "VARCHAR", "items": [{
                "field": "VARCHAR", "fieldId": "VARCHAR", "from": "VARCHAR",
                "fromString": "VARCHAR", "to": "VARCHAR", "toString": "VARCHAR"}]}]}}'
        ).changelog.histories) AS h
    FROM raw_jira_issues AS r
    WHERE r.rowid IN (SELECT raw_row FROM newest)
),
fetched AS (
    SELECT
        source,
        issue_id AS item_id,
        arg_max(
            json_transform(payload, '{"id": "VARCHAR", "created": "VARCHAR", "items": [{
                "field": "VARCHAR", "fieldId": "VARCHAR", "from": "VARCHAR",
                "fromString": "VARCHAR", "to": "VARCHAR", "toString": "VARCHAR"}]}'),
            fetched_at
        ) AS h
    FROM raw_jira_changelogs
    GROUP BY source, issue_id, id
),
embedded_ids AS (
    SELECT
        r.source,
        r.id AS item_id,
        unnest(json_transform(r.payload, '{"changelog": {"histories": [{"id": "VARCHAR"}]}}')
            .changelog.histories).id AS history_id
    FROM raw_jira_issues AS r
    SEMI JOIN (SELECT DISTINCT source, issue_id FROM raw_jira_changelogs) AS c
        ON c.source = r.source AND c.issue_id = r.id
    WHERE r.rowid IN (SELECT raw_row FROM newest)
)
SELECT source, item_id, h.id AS history_id, h.created::TIMESTAMPTZ AS changed_at, h.items
FROM embedded
UNION ALL
SELECT
    f.source,
    f.item_id,
    f.h.id,
    -- bulkfetch has been seen to send `created` as epoch seconds or milliseconds
    CASE
        WHEN regexp_full_match(f.h.created, '[0-9]+')
            THEN to_timestamp(f.h.created::DOUBLE / CASE WHEN length(f.h.created) > 11 THEN 1000 ELSE 1 END)
        ELSE f.h.created::TIMESTAMPTZ
    END,
    f.h.items
FROM fetched AS f
ANTI JOIN embedded_ids AS e
    ON e.source = f.source AND e.item_id = f.item_id AND e.history_id = f.h.id;
