-- Σ active time / Σ cycle time over the items done in the period.
SELECT sum(active_days) / nullif(sum(cycle_time_days), 0) AS flow_efficiency
FROM item_facts
WHERE in_flow AND changelog_complete AND NOT discarded
    AND done_at >= $start AND done_at < $end AND done_at <= $as_of;
