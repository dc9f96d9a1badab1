-- Where the cycle time of the items done in the period went, per status: total days, median
-- days per item that visited the status, and share of all their cycle time.
WITH done AS (
    SELECT item_id, started_at, done_at
    FROM done_in($start, $end, $as_of)
),
per_item AS (
    SELECT
        t.status,
        any_value(t.stage) AS stage,
        bool_or(t.waiting) AS waiting,
        t.item_id,
        sum(epoch_us(least(t.end_at, d.done_at)) - epoch_us(greatest(t.start_at, d.started_at)))
            / 86400e6 AS days
    FROM team_intervals AS t
    JOIN done AS d USING (item_id)
    WHERE t.end_at > d.started_at AND t.start_at < d.done_at
    GROUP BY t.status, t.item_id
),
total AS (
    SELECT sum(epoch_us(done_at) - epoch_us(started_at)) / 86400e6 AS cycle_days FROM done
)
SELECT
    status,
    any_value(stage) AS stage,
    bool_or(waiting) AS waiting,
    sum(days) AS total_days,
    quantile_cont(days, 0.5) AS median_days,
    count(*) AS items,
    sum(days) / nullif(any_value(total.cycle_days), 0) AS share
FROM per_item, total
GROUP BY status
ORDER BY total_days DESC, status;
