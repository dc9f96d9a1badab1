-- The team's incidents created by as_of (METRICS.md §3): GitLab issues with issue_type incident
-- in its projects, and Jira items of its incident_types (_dora_jira_incidents). Each is
-- attributed to the team's latest production deployment that finished at or before its creation
-- (any of the team's projects); one created before any deployment stays unattributed.
--
-- closed_at: GitLab's closed_at; a Jira incident's done_at (METRICS.md §1), not its
-- resolutiondate: done_at follows the team's workflow like every other Koers figure, it is
-- known at any as_of from the changelog (resolutiondate only holds today's value), and it is
-- there on workflows that never set a resolution. A close after as_of is not known yet.
-- restore_days (time to restore) leaves out a discarded Jira incident (a duplicate or one that
-- could not be reproduced: its close restored nothing, and a duplicate would count the same
-- outage twice) and one with an incomplete changelog (its done_at cannot be trusted). Both still
-- count as incidents for the change failure rate: only their creation matters there.
CREATE OR REPLACE TEMP TABLE _dora_incidents AS
WITH gitlab AS (
    SELECT
        'gitlab' AS origin, source, project_id, incident_id, iid, NULL::VARCHAR AS key, title,
        created_at,
        CASE WHEN closed_at <= $as_of THEN closed_at END AS closed_at,
        false AS discarded,
        true AS trusted
    FROM incidents
    WHERE source = $source AND list_contains($projects, project_id) AND created_at <= $as_of
),
jira AS (
    SELECT
        'jira' AS origin, source, NULL::BIGINT AS project_id, NULL::BIGINT AS incident_id,
        NULL::BIGINT AS iid, key, title, created_at,
        CASE WHEN done_at <= $as_of THEN done_at END AS closed_at,
        coalesce(discarded, false) AS discarded,
        coalesce(changelog_complete, false) AS trusted
    FROM _dora_jira_incidents
    WHERE created_at <= $as_of
),
both_kinds AS (
    SELECT * FROM gitlab
    UNION ALL BY NAME
    SELECT * FROM jira
)
SELECT
    i.origin, i.source, i.project_id, i.incident_id, i.iid, i.key, i.title, i.created_at,
    i.closed_at, i.discarded,
    CASE WHEN i.trusted AND NOT i.discarded
        THEN epoch(i.closed_at - i.created_at) / 86400 END AS restore_days,
    d.deployment_id AS attributed_deployment_id
FROM both_kinds AS i
ASOF LEFT JOIN _dora_deployments AS d
    ON i.created_at >= d.finished_at;
