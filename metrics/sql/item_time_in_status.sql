-- Per item and status (METRICS.md §1 `time_in_status[s]`): total days spent in the status over
-- all its intervals, from `created` up to $as_of.
SELECT f.key, t.status, sum(epoch_us(t.end_at) - epoch_us(t.start_at)) / 86400e6 AS days
FROM team_intervals AS t
JOIN item_facts AS f USING (item_id)
GROUP BY f.key, t.status
ORDER BY f.key, days DESC, t.status;
