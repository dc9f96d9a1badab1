-- Items per stage (and per status for in-progress) at the end of each day of the period.
-- Done is cumulative by nature: a done item stays done unless it is reopened.
-- Counted as in wip_daily: +1 on the first day an interval counts, −1 after its last, summed over
-- the days per stage and status (linear in the intervals instead of intervals × days).
WITH days AS (SELECT day FROM period_days($first_day, $last_day, $tz, $as_of)),
spans AS (
    SELECT
        t.stage,
        CASE WHEN t.stage = 'in_progress' THEN t.status END AS status,
        t.start_at,
        t.end_at,
        t.is_current
    FROM team_intervals AS t
    WHERE t.in_flow
        AND (t.is_current OR t.end_at > timezone($tz, $first_day::DATE::TIMESTAMP))
        AND t.start_at <= least(timezone($tz, $last_day::DATE::TIMESTAMP + INTERVAL 1 DAY), $as_of)
),
buckets AS (
    SELECT
        stage,
        status,
        CASE WHEN start_at > timezone($tz, $first_day::DATE::TIMESTAMP)
            THEN (epoch_us(start_at) - 1) // 900000000 END AS bucket,
        count(*) AS n
    FROM spans
    GROUP BY ALL
    UNION ALL
    SELECT stage, status, (epoch_us(end_at) - 1) // 900000000, -count(*)
    FROM spans
    WHERE NOT is_current
    GROUP BY ALL
),
deltas AS (
    SELECT
        stage,
        status,
        coalesce(timezone($tz, to_timestamp(bucket * 900))::DATE, $first_day::DATE) AS day,
        sum(n) AS n
    FROM buckets
    GROUP BY ALL
),
grid AS (
    SELECT days.day, s.stage, s.status
    FROM days, (SELECT DISTINCT stage, status FROM deltas) AS s
),
running AS (
    SELECT
        g.day, g.stage, g.status,
        sum(coalesce(d.n, 0)) OVER (PARTITION BY g.stage, g.status ORDER BY g.day) AS count
    FROM grid AS g
    LEFT JOIN deltas AS d
        ON d.day = g.day AND d.stage = g.stage AND d.status IS NOT DISTINCT FROM g.status
)
SELECT day, stage, status, count::BIGINT AS count
FROM running
WHERE count > 0
ORDER BY day, stage, status;
