-- One row per GitLab merge request, with the moments METRICS.md §3 needs for change lead time.
-- first_commit_at: the earliest authored_date among its commits (not their order), else created_at.
-- first_review_at: the earliest note before the merge by someone other than the MR's author
-- (decided at landing: raw_gitlab_mr_notes.by_author; unknown counts as someone else) that is
-- either a non-system note or the system note of an approval.
CREATE OR REPLACE TABLE merge_requests AS
WITH mr AS (
    SELECT
        source,
        project_id,
        id AS mr_id,
        iid,
        payload ->> 'title' AS title,
        payload ->> 'state' AS state,
        (payload ->> 'created_at')::TIMESTAMPTZ AS created_at,
        (payload ->> 'updated_at')::TIMESTAMPTZ AS updated_at,
        (payload ->> 'merged_at')::TIMESTAMPTZ AS merged_at,
        fetched_at
    FROM raw_gitlab_merge_requests
),
commits AS (
    SELECT source, project_id, mr_iid AS iid,
        min((payload ->> 'authored_date')::TIMESTAMPTZ) AS first_commit_at
    FROM raw_gitlab_mr_commits
    GROUP BY ALL
),
reviews AS (
    SELECT n.source, n.project_id, n.mr_iid AS iid,
        min((n.payload ->> 'created_at')::TIMESTAMPTZ) AS first_review_at
    FROM raw_gitlab_mr_notes AS n
    JOIN mr ON mr.source = n.source AND mr.project_id = n.project_id AND mr.iid = n.mr_iid
    WHERE NOT coalesce(n.by_author, false)
        AND (NOT coalesce((n.payload ->> 'system')::BOOLEAN, false) OR n.approval)
        AND (mr.merged_at IS NULL OR (n.payload ->> 'created_at')::TIMESTAMPTZ < mr.merged_at)
    GROUP BY ALL
)
SELECT
    mr.source,
    mr.project_id,
    mr.mr_id,
    mr.iid,
    mr.title,
    mr.state,
    mr.created_at,
    mr.updated_at,
    mr.merged_at,
    coalesce(commits.first_commit_at, mr.created_at) AS first_commit_at,
    reviews.first_review_at,
    mr.fetched_at
FROM mr
LEFT JOIN commits USING (source, project_id, iid)
LEFT JOIN reviews USING (source, project_id, iid);
