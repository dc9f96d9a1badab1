-- Data page: the team's configured GitLab paths and the projects each stands for, as the sync
-- landed them (a group path stands for its projects, subgroups included: as
-- delivery_projects.sql matches them). A project that two paths match is listed under the first;
-- a path that matches no project gets one row without a project. Per project, up to as_of:
-- merged MRs, production deployments (_dora_deployments of the team's TeamDelivery) and GitLab
-- incidents.
WITH paths AS (
    SELECT unnest($paths::VARCHAR[]) AS path, generate_subscripts($paths::VARCHAR[], 1) AS ord
),
all_matches AS (
    SELECT
        paths.path, paths.ord, p.id AS project_id,
        p.payload ->> 'path_with_namespace' AS project,
        coalesce((p.payload ->> 'archived')::BOOLEAN, false) AS archived
    FROM paths
    JOIN raw_gitlab_projects AS p
        ON p.source = $source
        AND (
            lower(p.payload ->> 'path_with_namespace') = lower(paths.path)
            OR starts_with(lower(p.payload ->> 'path_with_namespace'), lower(paths.path) || '/')
        )
),
listed AS (
    SELECT * FROM all_matches
    QUALIFY row_number() OVER (PARTITION BY project_id ORDER BY ord) = 1
    UNION ALL
    SELECT path, ord, NULL, NULL, NULL FROM paths WHERE ord NOT IN (SELECT ord FROM all_matches)
),
merged AS (
    SELECT project_id, count(*) AS merged
    FROM merge_requests
    WHERE source = $source AND merged_at <= $as_of
    GROUP BY project_id
),
deployed AS (
    SELECT project_id, count(*) AS deployments FROM _dora_deployments GROUP BY project_id
),
incidents AS (
    SELECT project_id, count(*) AS incidents
    FROM incidents
    WHERE source = $source AND created_at <= $as_of
    GROUP BY project_id
)
SELECT
    l.path,
    l.project_id,
    l.project,
    l.archived,
    CASE WHEN l.project_id IS NOT NULL THEN coalesce(m.merged, 0) END AS merged,
    CASE WHEN l.project_id IS NOT NULL THEN coalesce(d.deployments, 0) END AS deployments,
    CASE WHEN l.project_id IS NOT NULL THEN coalesce(i.incidents, 0) END AS incidents
FROM listed AS l
LEFT JOIN merged AS m USING (project_id)
LEFT JOIN deployed AS d USING (project_id)
LEFT JOIN incidents AS i USING (project_id)
ORDER BY l.ord, l.project NULLS FIRST;
