-- GitLab incidents (issues with issue_type = incident).
CREATE OR REPLACE TABLE incidents AS
SELECT
    source,
    project_id,
    id AS incident_id,
    (payload ->> 'iid')::BIGINT AS iid,
    payload ->> 'title' AS title,
    payload ->> 'state' AS state,
    (payload ->> 'created_at')::TIMESTAMPTZ AS created_at,
    (payload ->> 'closed_at')::TIMESTAMPTZ AS closed_at,
    fetched_at
FROM raw_gitlab_issues
WHERE lower(coalesce(payload ->> 'issue_type', 'incident')) = 'incident';
