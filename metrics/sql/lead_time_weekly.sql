-- Lead time of the items done in each ISO week of the period (trend chart).
WITH weeks AS (
    SELECT w::DATE AS week
    FROM generate_series(
        date_trunc('week', $first_day::DATE)::TIMESTAMP,
        $period_last::DATE::TIMESTAMP,
        INTERVAL 1 WEEK
    ) AS g(w)
),
done AS (
    SELECT
        date_trunc('week', timezone($tz, done_at))::DATE AS week,
        quantile_cont(lead_time_days::DOUBLE, 0.5) AS p50,
        quantile_cont(lead_time_days::DOUBLE, 0.85) AS p85,
        count(*) AS n
    FROM item_facts
    WHERE in_flow AND changelog_complete AND NOT discarded
        AND done_at >= $start AND done_at < $end AND done_at <= $as_of
    GROUP BY ALL
)
SELECT weeks.week, done.p50, done.p85, coalesce(done.n, 0) AS n
FROM weeks
LEFT JOIN done USING (week)
ORDER BY weeks.week;
