-- Blocked time of the items done in the period (not discarded): how many were ever blocked
-- during their cycle, for how many days in all, and which share of their cycle time that was.
SELECT
    count(*) AS items_done,
    count(*) FILTER (WHERE blocked_days > 0) AS items_blocked,
    coalesce(sum(blocked_days), 0) AS blocked_days,
    coalesce(sum(cycle_time_days), 0) AS cycle_days,
    sum(blocked_days) / nullif(sum(cycle_time_days), 0) AS share
FROM done_in($start, $end, $as_of);
