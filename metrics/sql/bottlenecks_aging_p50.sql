-- p50 cycle time of the items done in the $window days before $as_of: the same items as the
-- at-risk threshold (at_risk_threshold.sql, p85), for the aging chart's bands.
SELECT quantile_cont(cycle_time_days::DOUBLE, 0.5) AS p50, count(cycle_time_days) AS n
FROM item_facts
WHERE counted
    AND done_at > $as_of - to_days($window::INTEGER) AND done_at <= $as_of;
