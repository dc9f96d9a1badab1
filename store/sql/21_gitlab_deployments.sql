-- One row per GitLab deployment, with its environment's tier (from the Environments API; null
-- when the environment is not known). Whether it is a production deployment depends on the
-- team's `production_environment`, so the metrics decide that (metrics/sql/dora_deployments.sql).
-- finished_at: deployable.finished_at; without a deployable or its finished_at, updated_at.
CREATE OR REPLACE TABLE deployments AS
WITH env AS (
    SELECT source, project_id, payload ->> 'name' AS environment,
        nullif(payload ->> 'tier', '') AS tier
    FROM raw_gitlab_environments
    QUALIFY row_number() OVER (PARTITION BY source, project_id, environment ORDER BY id DESC) = 1
)
SELECT
    d.source,
    d.project_id,
    d.id AS deployment_id,
    (d.payload ->> 'iid')::BIGINT AS iid,
    d.payload ->> 'status' AS status,
    d.payload -> 'environment' ->> 'name' AS environment,
    env.tier AS environment_tier,
    (d.payload ->> 'created_at')::TIMESTAMPTZ AS created_at,
    coalesce(
        (d.payload -> 'deployable' ->> 'finished_at')::TIMESTAMPTZ,
        (d.payload ->> 'updated_at')::TIMESTAMPTZ
    ) AS finished_at,
    d.fetched_at
FROM raw_gitlab_deployments AS d
LEFT JOIN env
    ON env.source = d.source AND env.project_id = d.project_id
    AND env.environment = d.payload -> 'environment' ->> 'name';
