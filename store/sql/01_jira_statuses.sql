-- The status catalogue of each Jira source (GET /rest/api/2/status): id → current name, category.
CREATE OR REPLACE TABLE jira_statuses AS
SELECT
    source,
    id AS status_id,
    payload ->> 'name' AS name,
    payload -> 'statusCategory' ->> 'key' AS category
FROM raw_jira_statuses;
