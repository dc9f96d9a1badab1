-- Which merge requests each deployment shipped (GitLab's own linkage, not SHA arithmetic:
-- squash and fast-forward merges are found the same way).
CREATE OR REPLACE TABLE deployment_merge_requests AS
SELECT
    source,
    project_id,
    deployment_id,
    mr_id,
    (payload ->> 'iid')::BIGINT AS mr_iid,
    (payload ->> 'project_id')::BIGINT AS mr_project_id
FROM raw_gitlab_deployment_mrs;
