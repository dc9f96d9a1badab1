-- Data page: the environments of the team's GitLab projects (Environments API), with their tier
-- and how many production deployments Koers counted to each up to as_of (0: the environment
-- does not count as production, or nothing was deployed to it). The configured
-- production_environment is listed too when GitLab knows no environment of that name, with
-- `known` false: it points at nothing.
WITH envs AS (
    SELECT
        e.project_id, e.payload ->> 'name' AS environment, nullif(e.payload ->> 'tier', '') AS tier
    FROM raw_gitlab_environments AS e
    WHERE e.source = $source AND list_contains($projects, e.project_id)
    QUALIFY row_number() OVER (PARTITION BY e.project_id, environment ORDER BY e.id DESC) = 1
),
counted AS (
    SELECT project_id, environment, count(*) AS deployments
    FROM _dora_deployments
    GROUP BY ALL
),
known AS (
    -- deployments to an environment the Environments API did not list (rule c) count as well
    SELECT project_id, environment, tier, true AS known FROM envs
    UNION
    SELECT c.project_id, c.environment, NULL, true
    FROM counted AS c
    ANTI JOIN envs AS e USING (project_id, environment)
),
configured AS (
    SELECT NULL::BIGINT AS project_id, $production_environment::VARCHAR AS environment,
        NULL::VARCHAR AS tier, false AS known
    WHERE $production_environment IS NOT NULL
        AND $production_environment NOT IN (SELECT environment FROM known)
)
SELECT
    k.project_id,
    p.payload ->> 'path_with_namespace' AS project,
    k.environment,
    k.tier,
    k.known,
    coalesce(c.deployments, 0) AS deployments
FROM (SELECT * FROM known UNION ALL SELECT * FROM configured) AS k
LEFT JOIN counted AS c USING (project_id, environment)
LEFT JOIN raw_gitlab_projects AS p ON p.source = $source AND p.id = k.project_id
ORDER BY project NULLS LAST, deployments DESC, k.environment;
