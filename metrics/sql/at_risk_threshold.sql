-- p85 cycle time of the items done in the $window days before $as_of: the at-risk threshold.
SELECT quantile_cont(cycle_time_days::DOUBLE, 0.85) AS p85
FROM item_facts
WHERE counted
    AND done_at > $as_of - to_days($window::INTEGER) AND done_at <= $as_of;
