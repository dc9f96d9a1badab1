-- Production deployments per ISO week of the period (Monday dates, the team's time zone), and
-- the number of days in each week with at least one deployment (METRICS.md §3).
WITH weeks AS (
    SELECT w::DATE AS week
    FROM generate_series(
        date_trunc('week', $first_day::DATE)::TIMESTAMP, $period_last::TIMESTAMP, INTERVAL 1 WEEK
    ) AS g(w)
),
in_period AS (
    SELECT finished_at FROM _dora_deployments WHERE finished_at >= $start AND finished_at < $end
)
SELECT
    weeks.week,
    count(p.finished_at) AS deployments,
    count(DISTINCT timezone($tz, p.finished_at)::DATE) AS deploy_days
FROM weeks
LEFT JOIN in_period AS p ON date_trunc('week', timezone($tz, p.finished_at))::DATE = weeks.week
GROUP BY ALL
ORDER BY weeks.week;
