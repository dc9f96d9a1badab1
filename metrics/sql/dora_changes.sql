-- Per merged MR of the team deployed to production by as_of: deployed_at is the earliest
-- production deployment whose merge-request list contains it; change lead time is
-- deployed_at − first_commit_at, and its stages are each clipped at 0 (METRICS.md §3).
CREATE OR REPLACE TEMP TABLE _dora_changes AS
WITH deployed AS (
    SELECT dm.source, dm.mr_id, min(d.finished_at) AS deployed_at
    FROM deployment_merge_requests AS dm
    JOIN _dora_deployments AS d USING (source, deployment_id)
    GROUP BY ALL
),
facts AS (
    SELECT
        mr.source, mr.project_id, mr.mr_id, mr.iid, mr.title,
        mr.first_commit_at, mr.created_at, mr.first_review_at, mr.merged_at, deployed.deployed_at
    FROM merge_requests AS mr
    JOIN deployed USING (source, mr_id)
    WHERE mr.source = $source
        AND list_contains($projects, mr.project_id)
        AND mr.merged_at IS NOT NULL
)
SELECT
    *,
    epoch(deployed_at - first_commit_at) / 86400 AS lead_time_days,
    greatest(epoch(created_at - first_commit_at) / 86400, 0) AS coding_days,
    -- greatest() skips nulls: without a review, pickup stays null
    CASE WHEN first_review_at IS NOT NULL
        THEN greatest(epoch(first_review_at - created_at) / 86400, 0) END AS pickup_days,
    greatest(epoch(merged_at - coalesce(first_review_at, created_at)) / 86400, 0) AS review_days,
    greatest(epoch(deployed_at - merged_at) / 86400, 0) AS deploy_days
FROM facts;
