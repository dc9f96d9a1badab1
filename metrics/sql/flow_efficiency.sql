-- Σ active time / Σ cycle time over the items done in the period.
SELECT sum(active_days) / nullif(sum(cycle_time_days), 0) AS flow_efficiency
FROM done_in($start, $end, $as_of);
