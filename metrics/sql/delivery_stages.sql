-- Where a change's lead time goes: the median of each stage (coding, pickup, review, deploy, in
-- days) over the MRs deployed to production in the period (METRICS.md §3). Pickup counts only
-- MRs with a review.
WITH changes AS (
    SELECT * FROM _dora_changes WHERE deployed_at >= $start AND deployed_at < $end
),
stages AS (
    SELECT 1 AS step, 'coding' AS stage, coding_days AS days FROM changes
    UNION ALL SELECT 2, 'pickup', pickup_days FROM changes
    UNION ALL SELECT 3, 'review', review_days FROM changes
    UNION ALL SELECT 4, 'deploy', deploy_days FROM changes
)
SELECT stage, quantile_cont(days::DOUBLE, 0.5) AS p50, count(days) AS n
FROM stages
GROUP BY step, stage
ORDER BY step;
