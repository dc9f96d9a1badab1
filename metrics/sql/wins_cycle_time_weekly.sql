-- The p85 cycle time of the items done in each ISO week of the period (the "more predictable"
-- win's chart); weeks without items have no value.
WITH weeks AS (SELECT * FROM period_weeks($first_day, $period_last)),
done AS (
    SELECT
        date_trunc('week', timezone($tz, done_at))::DATE AS week,
        quantile_cont(cycle_time_days::DOUBLE, 0.85) AS p85,
        count(*) AS n
    FROM done_in($start, $end, $as_of)
    GROUP BY ALL
)
SELECT weeks.week, done.p85, coalesce(done.n, 0) AS n
FROM weeks
LEFT JOIN done USING (week)
ORDER BY weeks.week;
