-- The team's Jira incidents (METRICS.md §3): the items of its Jira query whose issue type is one
-- of the team's incident_types (matched case-insensitively), created by as_of, with their §1
-- facts. Run through TeamFlow, so done_at and discarded are the ones the flow metrics use.
SELECT
    $source AS source,
    item_id,
    key,
    summary AS title,
    created_at,
    done_at,
    discarded,
    changelog_complete
FROM item_facts
WHERE list_contains($incident_types::VARCHAR[], lower(type))
ORDER BY created_at, item_id;
