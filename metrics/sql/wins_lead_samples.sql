-- The lead times (days) of the items done in the baseline and in the recent weeks, one row per
-- item without its key: the two samples of the Mann–Whitney U test (METRICS.md §5).
SELECT 'before' AS phase, lead_time_days::DOUBLE AS days
FROM done_in($before_start, $before_end, $as_of)
UNION ALL
SELECT 'after' AS phase, lead_time_days::DOUBLE AS days
FROM done_in($after_start, $after_end, $as_of);
