-- Items done per ISO week (Monday, in the team's time zone), zero-filled over the period.
WITH weeks AS (
    SELECT w::DATE AS week
    FROM generate_series(
        date_trunc('week', $first_day::DATE)::TIMESTAMP,
        $period_last::DATE::TIMESTAMP,
        INTERVAL 1 WEEK
    ) AS g(w)
),
done AS (
    SELECT date_trunc('week', timezone($tz, done_at))::DATE AS week, count(*) AS n
    FROM item_facts
    WHERE in_flow AND changelog_complete AND NOT discarded
        AND done_at >= $start AND done_at < $end AND done_at <= $as_of
    GROUP BY ALL
)
SELECT weeks.week, coalesce(done.n, 0) AS count
FROM weeks
LEFT JOIN done USING (week)
ORDER BY weeks.week;
