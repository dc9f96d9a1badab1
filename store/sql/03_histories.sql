-- Every changelog history once per issue: the embedded ones (an issue matched by two teams is read
-- once, from its newest copy) plus those fetched from the paged changelog endpoints, which complete
-- a truncated embedded changelog. Fetched pages may repeat a history, so de-duplicate on its id.
CREATE OR REPLACE TEMP TABLE _histories AS
WITH newest AS (
    SELECT source, item_id, arg_max(p.changelog.histories, fetched_at) AS histories
    FROM _issues
    GROUP BY source, item_id
),
embedded AS (
    SELECT source, item_id, unnest(histories) AS h
    FROM newest
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
ANTI JOIN embedded AS e
    ON e.source = f.source AND e.item_id = f.item_id AND e.h.id = f.h.id;
