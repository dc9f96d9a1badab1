-- The `dora` part of the report for one period (METRICS.md §3), one row. Incidents are GitLab's
-- and the team's Jira incident types alike (_dora_incidents).
WITH in_period AS (
    SELECT * FROM _dora_deployments WHERE finished_at >= $start AND finished_at < $end
),
weeks AS (
    SELECT w::DATE AS week
    FROM generate_series(
        date_trunc('week', $first_day::DATE)::TIMESTAMP, $period_last::TIMESTAMP, INTERVAL 1 WEEK
    ) AS g(w)
),
days_per_week AS (
    SELECT weeks.week, count(DISTINCT timezone($tz, p.finished_at)::DATE) AS days
    FROM weeks
    LEFT JOIN in_period AS p ON date_trunc('week', timezone($tz, p.finished_at))::DATE = weeks.week
    GROUP BY ALL
),
frequency AS (
    SELECT
        (SELECT count(*) FROM in_period) AS deployments,
        (SELECT median(days)::DOUBLE FROM days_per_week) AS deploy_days_per_week_median
),
failures AS (
    SELECT count(*) FILTER (
        WHERE p.deployment_id IN (
            SELECT attributed_deployment_id FROM _dora_incidents
            WHERE attributed_deployment_id IS NOT NULL
        )
    ) AS failed
    FROM in_period AS p
),
lead AS (
    SELECT quantile_cont(lead_time_days, [0.5, 0.85]) AS q, count(lead_time_days) AS n
    FROM _dora_changes
    WHERE deployed_at >= $start AND deployed_at < $end
),
restore AS (
    -- restore_days is null for the incidents that do not count here (metrics/sql/dora_incidents.sql)
    SELECT quantile_cont(restore_days::DOUBLE, 0.5) AS p50, count(restore_days) AS n
    FROM _dora_incidents
    WHERE closed_at >= $start AND closed_at < $end
)
SELECT
    frequency.deployments,
    frequency.deployments / $weeks AS per_week,
    frequency.deploy_days_per_week_median,
    lead.q[1] AS lead_p50,
    lead.q[2] AS lead_p85,
    lead.n AS lead_n,
    CASE WHEN frequency.deployments > 0 THEN failures.failed / frequency.deployments END
        AS change_failure_rate,
    restore.p50 AS restore_p50,
    restore.n AS restore_n
FROM frequency, failures, lead, restore;
