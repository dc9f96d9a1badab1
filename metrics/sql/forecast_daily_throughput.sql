-- Items done per local calendar day over the $window whole days before the day of $as_of
-- (METRICS.md §6): with as_of on Friday 27 Nov 2026 17:00, the days 4 Sep … 26 Nov 2026. The day
-- of as_of itself is left out: it is not over yet, and a half day would count as a slow day.
-- Every calendar day is a row, weekends and holidays too, zero-filled: the forecast samples them.
-- Same filter as the other aggregates: in flow, complete changelog, not discarded.
WITH days AS (
    SELECT d::DATE AS day
    FROM generate_series(
        (timezone($tz, $as_of::TIMESTAMPTZ)::DATE - $window::INTEGER)::TIMESTAMP,
        (timezone($tz, $as_of::TIMESTAMPTZ)::DATE - 1)::TIMESTAMP,
        INTERVAL 1 DAY
    ) AS g(d)
),
done AS (
    SELECT timezone($tz, done_at)::DATE AS day, count(*) AS n
    FROM item_facts
    WHERE counted AND done_at <= $as_of
    GROUP BY ALL
)
SELECT days.day, coalesce(done.n, 0)::INTEGER AS count
FROM days
LEFT JOIN done USING (day)
ORDER BY days.day;
