-- Every item with its facts, in key order (the `items` CLI contract).
SELECT
    key, type, status, stage, created_at, started_at, done_at,
    lead_time_days, cycle_time_days, age_days, discarded, in_flow,
    summary, resolution, epic_key, blocked_days, active_days, flow_efficiency, changelog_complete
FROM item_facts
ORDER BY regexp_extract(key, '^(.*)-', 1), TRY_CAST(regexp_extract(key, '-([0-9]+)$', 1) AS BIGINT), key;
