-- Items in progress at $as_of, oldest first; at risk when older than the threshold.
SELECT
    key, summary, type, status, started_at, age_days,
    coalesce(age_days > $threshold::DOUBLE, false) AS at_risk
FROM item_facts
WHERE in_flow AND changelog_complete AND stage = 'in_progress'
ORDER BY age_days DESC, key;
