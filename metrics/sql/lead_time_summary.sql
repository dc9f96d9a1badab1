-- lead_time percentiles (linear interpolation over DOUBLE) of items done in the period.
SELECT
    q[1] AS p50, q[2] AS p85, q[3] AS p95, mean, n
FROM (
    SELECT
        quantile_cont(lead_time_days::DOUBLE, [0.5, 0.85, 0.95]) AS q,
        avg(lead_time_days) AS mean,
        count(lead_time_days) AS n
    FROM done_in($start, $end, $as_of)
);
