-- Per ISO week: items started (first start) minus items done (not discarded).
WITH weeks AS (SELECT * FROM period_weeks($first_day, $period_last)),
flow AS (
    SELECT
        item_id,
        CASE WHEN started_at >= $start AND started_at < $end
            THEN date_trunc('week', timezone($tz, started_at))::DATE END AS started_week,
        CASE WHEN NOT discarded AND done_at >= $start AND done_at < $end
            THEN date_trunc('week', timezone($tz, done_at))::DATE END AS done_week
    FROM item_facts
    WHERE in_flow AND changelog_complete
),
started AS (SELECT started_week AS week, count(*) AS n FROM flow GROUP BY ALL),
done AS (SELECT done_week AS week, count(*) AS n FROM flow GROUP BY ALL)
SELECT
    weeks.week,
    coalesce(started.n, 0) AS started,
    coalesce(done.n, 0) AS done,
    coalesce(started.n, 0) - coalesce(done.n, 0) AS net
FROM weeks
LEFT JOIN started USING (week)
LEFT JOIN done USING (week)
ORDER BY weeks.week;
