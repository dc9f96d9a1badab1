-- Status changes in the period that moved an item backwards: to an earlier stage (done → in
-- progress or backlog: reopened; in progress → backlog), or to an earlier in-progress status.
-- The order of in-progress statuses is the team's `workflow.in_progress` list, so a step back
-- between two in-progress statuses counts only when the list names both.
WITH moves AS (
    SELECT
        c.item_id,
        c.changed_at,
        a.status AS from_status,
        a.stage AS from_stage,
        b.status AS to_status,
        b.stage AS to_stage,
        list_position($in_progress::VARCHAR[], lower(a.status)) AS from_pos,
        list_position($in_progress::VARCHAR[], lower(b.status)) AS to_pos
    FROM status_changes AS c
    -- interval `seq` is the status entered by change `seq`; `seq - 1` the status it left
    JOIN team_intervals AS a ON a.item_id = c.item_id AND a.seq = c.seq - 1
    JOIN team_intervals AS b ON b.item_id = c.item_id AND b.seq = c.seq
    WHERE c.source = $source AND c.field = 'status'
        AND c.changed_at >= $start AND c.changed_at < $end AND c.changed_at <= $as_of
),
ranked AS (
    SELECT
        *,
        CASE from_stage WHEN 'backlog' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END AS from_rank,
        CASE to_stage WHEN 'backlog' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END AS to_rank
    FROM moves
)
SELECT
    f.key,
    f.summary,
    f.type,
    m.changed_at,
    date_trunc('week', timezone($tz, m.changed_at))::DATE AS week,
    m.from_status,
    m.to_status,
    m.from_stage,
    m.to_stage,
    CASE
        WHEN m.from_stage = 'done' THEN 'reopened'
        WHEN m.to_stage = 'backlog' THEN 'to_backlog'
        ELSE 'earlier_step'
    END AS kind,
    f.status AS status_now
FROM ranked AS m
JOIN item_facts AS f USING (item_id)
WHERE f.in_flow AND f.changelog_complete
    AND (m.to_rank < m.from_rank
        OR (m.from_stage = 'in_progress' AND m.to_stage = 'in_progress' AND m.to_pos < m.from_pos))
ORDER BY m.changed_at DESC, f.key;
