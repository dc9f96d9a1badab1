-- The ISO weeks (Monday, the team's time zone) with at least one production deployment, with
-- their count and the last deployment's day: the deploy streak (METRICS.md §5).
SELECT
    date_trunc('week', timezone($tz, finished_at))::DATE AS week,
    count(*) AS deployments,
    max(timezone($tz, finished_at))::DATE AS last_day
FROM _dora_deployments
GROUP BY ALL
ORDER BY week;
