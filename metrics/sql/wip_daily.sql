-- Items in progress at the end of each day of the period (at $as_of for a day not yet over).
WITH days AS (SELECT * FROM period_days($first_day, $last_day, $tz, $as_of)),
spans AS (
    SELECT
        t.start_at,
        CASE WHEN t.is_current THEN 'infinity'::TIMESTAMPTZ ELSE t.end_at END AS end_open
    FROM team_intervals AS t
    JOIN item_facts AS f USING (item_id)
    WHERE t.stage = 'in_progress' AND f.in_flow AND f.changelog_complete
),
counted AS (
    SELECT d.day, count(*) AS wip
    FROM days AS d
    JOIN spans AS s ON s.start_at <= d.t AND s.end_open > d.t
    GROUP BY d.day
)
SELECT days.day, coalesce(counted.wip, 0) AS wip
FROM days
LEFT JOIN counted USING (day)
ORDER BY days.day;
