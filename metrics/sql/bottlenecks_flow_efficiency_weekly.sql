-- Flow efficiency per ISO week: Σ active time / Σ cycle time of the items done in that week
-- (not discarded), zero-filled over the period's weeks; null for a week without cycle time.
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
        count(*) AS items,
        sum(active_days) AS active_days,
        sum(cycle_time_days) AS cycle_days
    FROM item_facts
    WHERE in_flow AND changelog_complete AND NOT discarded
        AND done_at >= $start AND done_at < $end AND done_at <= $as_of
    GROUP BY ALL
)
SELECT
    weeks.week,
    coalesce(done.items, 0) AS items,
    coalesce(done.active_days, 0) AS active_days,
    coalesce(done.cycle_days, 0) AS cycle_days,
    done.active_days / nullif(done.cycle_days, 0) AS flow_efficiency
FROM weeks
LEFT JOIN done USING (week)
ORDER BY weeks.week;
