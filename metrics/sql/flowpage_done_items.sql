-- The items done in the period that count for lead and cycle time: the same filters as
-- cycle_time_summary.sql (in flow, complete changelog, not discarded, done in [$start, $end) and
-- by $as_of), so this list, the percentiles and the counts agree. Slowest first.
SELECT
    key,
    summary,
    type,
    done_at,
    timezone($tz, done_at) AS done_local,
    timezone($tz, done_at)::DATE AS done_day,
    lead_time_days,
    cycle_time_days,
    (epoch_us(started_at) - epoch_us(created_at)) / 86400e6 AS wait_days
FROM done_in($start, $end, $as_of)
ORDER BY cycle_time_days DESC, done_at, item_id;
