-- Items done per ISO week (Monday, in the team's time zone), zero-filled over the period.
WITH weeks AS (SELECT * FROM period_weeks($first_day, $period_last)),
done AS (
    SELECT date_trunc('week', timezone($tz, done_at))::DATE AS week, count(*) AS n
    FROM done_in($start, $end, $as_of)
    GROUP BY ALL
)
SELECT weeks.week, coalesce(done.n, 0) AS count
FROM weeks
LEFT JOIN done USING (week)
ORDER BY weeks.week;
