-- Data page: the team's merge requests merged more than $waiting_days days before as_of that no
-- production deployment carries by as_of (they are not in _dora_changes). Either they wait for
-- a release, or the deployment does not list them (a deploy outside GitLab's environments).
-- Only MRs merged after the team's first production deployment: before it GitLab had nothing
-- that could have carried them.
SELECT
    mr.project_id,
    p.payload ->> 'path_with_namespace' AS project,
    mr.iid,
    mr.title,
    mr.merged_at,
    (epoch($as_of) - epoch(mr.merged_at)) / 86400 AS days_waiting
FROM merge_requests AS mr
LEFT JOIN raw_gitlab_projects AS p ON p.source = mr.source AND p.id = mr.project_id
WHERE mr.source = $source
    AND list_contains($projects, mr.project_id)
    AND mr.merged_at IS NOT NULL
    AND epoch($as_of) - epoch(mr.merged_at) > $waiting_days * 86400
    AND mr.merged_at > (SELECT min(finished_at) FROM _dora_deployments)
    AND mr.mr_id NOT IN (SELECT mr_id FROM _dora_changes)
ORDER BY mr.merged_at, mr.mr_id;
