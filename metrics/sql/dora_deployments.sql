-- The team's production deployments finished by as_of (METRICS.md §3): status success to an
-- environment that (a) has tier production, or (b) is named by the team's
-- production_environment, or (c) has no known tier and a name matching ^prod(uction)?(/.*)?$
-- (case-insensitive). Another known tier counts only through (b).
CREATE OR REPLACE TEMP TABLE _dora_deployments AS
SELECT source, project_id, deployment_id, environment, environment_tier, finished_at
FROM deployments
WHERE source = $source
    AND list_contains($projects, project_id)
    AND status = 'success'
    AND finished_at <= $as_of
    AND (
        environment_tier = 'production'
        OR coalesce(environment = $production_environment, false)
        OR (environment_tier IS NULL AND regexp_matches(environment, '^prod(uction)?(/.*)?$', 'i'))
    );
