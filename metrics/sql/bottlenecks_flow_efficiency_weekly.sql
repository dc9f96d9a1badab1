-- Flow efficiency per ISO week: Σ active time / Σ cycle time of the items done in that week
-- (not discarded), zero-filled over the period's weeks; null for a week without cycle time.
WITH weeks AS (SELECT * FROM period_weeks($first_day, $period_last)),
done AS (
    SELECT
        date_trunc('week', timezone($tz, done_at))::DATE AS week,
        count(*) AS items,
        sum(active_days) AS active_days,
        sum(cycle_time_days) AS cycle_days
    FROM done_in($start, $end, $as_of)
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
