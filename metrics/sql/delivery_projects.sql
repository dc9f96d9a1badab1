-- The GitLab project ids of a team's configured paths: a project path itself, or a group path
-- that holds it (subgroups included), as the sync landed them in raw_gitlab_projects.
WITH paths AS (SELECT lower(unnest($paths::VARCHAR[])) AS path)
SELECT DISTINCT p.id AS project_id
FROM raw_gitlab_projects AS p
JOIN paths
    ON lower(p.payload ->> 'path_with_namespace') = paths.path
    OR starts_with(lower(p.payload ->> 'path_with_namespace'), paths.path || '/')
WHERE p.source = $source
ORDER BY project_id;
