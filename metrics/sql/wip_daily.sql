-- Items in progress at the end of each day of the period (at $as_of for a day not yet over).
-- An interval counts on a run of days: from the local date of start_at − 1 µs (an interval that
-- starts at midnight already counts on the day before) up to the day before the local date of
-- end_at − 1 µs. So: +1 on the first day, −1 on the day after the last, summed over the days;
-- linear in the intervals, where joining every interval with every day is not. Local dates are
-- worked out per 15-minute UTC bucket (time zone offsets are whole quarters of an hour, so no
-- bucket straddles a local midnight) instead of per interval.
WITH days AS (SELECT day FROM period_days($first_day, $last_day, $tz, $as_of)),
spans AS (
    SELECT t.start_at, t.end_at, t.is_current
    FROM team_intervals AS t
    WHERE t.stage = 'in_progress' AND t.in_flow
        AND (t.is_current OR t.end_at > timezone($tz, $first_day::DATE::TIMESTAMP))
        AND t.start_at <= least(timezone($tz, $last_day::DATE::TIMESTAMP + INTERVAL 1 DAY), $as_of)
),
buckets AS (
    -- +1 from the first day (NULL: before the period, so from its first day), −1 after the last
    SELECT
        CASE WHEN start_at > timezone($tz, $first_day::DATE::TIMESTAMP)
            THEN (epoch_us(start_at) - 1) // 900000000 END AS bucket,
        count(*) AS n
    FROM spans
    GROUP BY ALL
    UNION ALL
    SELECT (epoch_us(end_at) - 1) // 900000000, -count(*)
    FROM spans
    WHERE NOT is_current
    GROUP BY ALL
),
deltas AS (
    SELECT
        coalesce(timezone($tz, to_timestamp(bucket * 900))::DATE, $first_day::DATE) AS day,
        sum(n) AS n
    FROM buckets
    GROUP BY ALL
)
SELECT days.day, (sum(coalesce(deltas.n, 0)) OVER (ORDER BY days.day))::BIGINT AS wip
FROM days
LEFT JOIN deltas USING (day)
ORDER BY days.day;
