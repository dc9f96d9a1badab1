-- Items per stage (and per status for in-progress) at the end of each day of the period.
-- Done is cumulative by nature: a done item stays done unless it is reopened.
WITH days AS (SELECT * FROM period_days($first_day, $last_day, $tz, $as_of)),
spans AS (
    SELECT
        t.stage,
        CASE WHEN t.stage = 'in_progress' THEN t.status END AS status,
        t.start_at,
        CASE WHEN t.is_current THEN 'infinity'::TIMESTAMPTZ ELSE t.end_at END AS end_open
    FROM team_intervals AS t
    JOIN item_facts AS f USING (item_id)
    WHERE f.in_flow AND f.changelog_complete
)
SELECT d.day, s.stage, s.status, count(*) AS count
FROM days AS d
JOIN spans AS s ON s.start_at <= d.t AND s.end_open > d.t
GROUP BY ALL
ORDER BY d.day, s.stage, s.status;
