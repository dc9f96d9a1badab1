-- The team's Jira incidents handed over from its TeamFlow (metrics/sql/dora_jira_incidents.sql)
-- as a registered frame, typed here: the frame is empty for a team without incident_types.
CREATE OR REPLACE TEMP TABLE _dora_jira_incidents AS
SELECT
    source::VARCHAR AS source,
    item_id::VARCHAR AS item_id,
    key::VARCHAR AS key,
    title::VARCHAR AS title,
    created_at::TIMESTAMPTZ AS created_at,
    done_at::TIMESTAMPTZ AS done_at,
    discarded::BOOLEAN AS discarded,
    changelog_complete::BOOLEAN AS changelog_complete
FROM _jira_incident_rows;
