-- Blocked time per ISO week: the days that items were flagged between their start and their
-- done (or $as_of), cut to the week and the period; and how many items that was.
WITH weeks AS (
    SELECT
        w::DATE AS week,
        greatest(timezone($tz, w), $start) AS ws,
        least(timezone($tz, w + INTERVAL 1 WEEK), $end, $as_of) AS we
    FROM generate_series(
        date_trunc('week', $first_day::DATE)::TIMESTAMP,
        $period_last::DATE::TIMESTAMP,
        INTERVAL 1 WEEK
    ) AS g(w)
),
spans AS (
    SELECT
        f.item_id,
        greatest(fl.start_at, f.started_at) AS s,
        least(coalesce(fl.end_at, $as_of), coalesce(f.done_at, $as_of), $as_of) AS e
    FROM flag_intervals AS fl
    JOIN item_facts AS f USING (item_id)
    WHERE fl.source = $source AND f.in_flow AND f.changelog_complete
        AND f.started_at IS NOT NULL
),
per_week AS (
    SELECT
        w.week,
        sum(epoch_us(least(s.e, w.we)) - epoch_us(greatest(s.s, w.ws))) / 86400e6 AS blocked_days,
        count(DISTINCT s.item_id) AS items
    FROM weeks AS w
    JOIN spans AS s ON s.s < w.we AND s.e > w.ws AND s.e > s.s
    GROUP BY w.week
)
SELECT
    weeks.week,
    coalesce(per_week.blocked_days, 0) AS blocked_days,
    coalesce(per_week.items, 0) AS items
FROM weeks
LEFT JOIN per_week USING (week)
ORDER BY weeks.week;
