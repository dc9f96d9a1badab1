-- The team's incidents created by as_of, each attributed to the team's latest production
-- deployment that finished at or before its creation (any of the team's projects). A close
-- after as_of is not known yet at as_of.
CREATE OR REPLACE TEMP TABLE _dora_incidents AS
SELECT
    i.source, i.project_id, i.incident_id, i.iid, i.title, i.created_at,
    CASE WHEN i.closed_at <= $as_of THEN i.closed_at END AS closed_at,
    d.deployment_id AS attributed_deployment_id
FROM (
    SELECT * FROM incidents
    WHERE source = $source AND list_contains($projects, project_id) AND created_at <= $as_of
) AS i
ASOF LEFT JOIN _dora_deployments AS d
    ON d.source = i.source AND i.created_at >= d.finished_at;
