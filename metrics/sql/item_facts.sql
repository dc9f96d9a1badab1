-- Per-item facts of METRICS.md §1 at $as_of, from the team's staged intervals.
-- One pass over team_intervals gives every per-item figure, active time included: the in-progress
-- intervals of an item lie inside its clock by construction (started_at is the first in-progress
-- start; done_at or $as_of comes after every interval that is not done), so clipping them to
-- [started_at, cycle_end) is a no-op and the sum needs no join. Only the flagged items are
-- joined with their intervals, for the blocked parts.
CREATE OR REPLACE TEMP TABLE item_facts AS
WITH per_item AS (
    SELECT
        item_id,
        -- the current status is the one open at $as_of: exactly one interval per item
        any_value(stage) FILTER (WHERE is_current) AS stage,
        any_value(status) FILTER (WHERE is_current) AS status,
        min(start_at) AS first_start,
        min(start_at) FILTER (WHERE stage = 'in_progress') AS first_in_progress,
        -- the final unbroken run of done intervals starts where the last other interval ended
        max(end_at) FILTER (WHERE stage <> 'done') AS last_not_done_end,
        sum(epoch_us(end_at) - epoch_us(start_at))
            FILTER (WHERE stage = 'in_progress' AND NOT waiting) AS active_us
    FROM team_intervals
    GROUP BY item_id
),
resolutions AS (
    SELECT
        item_id,
        count(*) FILTER (WHERE changed_at <= $as_of) AS n_until,
        arg_max_null(to_name, seq) FILTER (WHERE changed_at <= $as_of) AS latest,
        arg_min_null(from_name, seq) AS initial
    FROM status_changes
    WHERE source = $source AND field = 'resolution'
    GROUP BY item_id
),
base AS (
    SELECT
        w.item_id, w.key, w.type, w.summary, w.in_flow, w.changelog_complete,
        w.created_at, w.epic_key, p.stage, p.status, p.first_in_progress, p.active_us,
        CASE WHEN p.stage = 'done' THEN coalesce(p.last_not_done_end, p.first_start) END AS done_at,
        CASE
            WHEN r.n_until > 0 THEN r.latest
            WHEN r.item_id IS NOT NULL THEN r.initial
            ELSE w.resolution
        END AS resolution
    FROM work_items AS w
    JOIN per_item AS p USING (item_id)
    LEFT JOIN resolutions AS r USING (item_id)
    WHERE w.source = $source AND w.team = $team
),
clocked AS (
    SELECT
        b.*,
        coalesce(b.first_in_progress, b.done_at) AS started_at,
        coalesce(b.done_at, $as_of) AS cycle_end
    FROM base AS b
),
flags AS (
    SELECT
        f.item_id, f.start_at,
        CASE WHEN f.end_at IS NULL OR f.end_at > $as_of THEN $as_of ELSE f.end_at END AS end_at
    FROM flag_intervals AS f
    WHERE f.source = $source AND f.start_at < $as_of
),
blocked AS (
    SELECT c.item_id, sum(
        epoch_us(least(f.end_at, c.cycle_end)) - epoch_us(greatest(f.start_at, c.started_at))
    ) AS us
    FROM clocked AS c
    JOIN flags AS f
        ON f.item_id = c.item_id AND f.start_at < c.cycle_end AND f.end_at > c.started_at
    GROUP BY c.item_id
),
active_blocked AS (
    SELECT t.item_id, sum(
        epoch_us(least(t.end_at, f.end_at)) - epoch_us(greatest(t.start_at, f.start_at))
    ) AS us
    FROM team_intervals AS t
    JOIN flags AS f ON f.item_id = t.item_id AND f.start_at < t.end_at AND f.end_at > t.start_at
    WHERE t.stage = 'in_progress' AND NOT t.waiting
    GROUP BY t.item_id
)
SELECT
    c.item_id,
    c.key,
    c.type,
    c.summary,
    c.status,
    c.stage,
    c.in_flow,
    c.changelog_complete,
    c.epic_key,
    c.resolution,
    c.created_at,
    c.started_at,
    c.done_at,
    (epoch_us(c.done_at) - epoch_us(c.created_at)) / 86400e6 AS lead_time_days,
    (epoch_us(c.done_at) - epoch_us(c.started_at)) / 86400e6 AS cycle_time_days,
    CASE WHEN c.stage = 'in_progress'
        THEN (epoch_us($as_of) - epoch_us(c.started_at)) / 86400e6 END AS age_days,
    coalesce(c.stage = 'done' AND list_contains($discard::VARCHAR[], lower(c.resolution)), false)
        AS discarded,
    -- whether the item counts in the aggregates (METRICS.md §1)
    c.in_flow AND c.changelog_complete AND NOT discarded AS counted,
    CASE WHEN c.started_at IS NOT NULL THEN coalesce(b.us, 0) / 86400e6 END AS blocked_days,
    CASE WHEN c.started_at IS NOT NULL
        THEN (coalesce(c.active_us, 0) - coalesce(ab.us, 0)) / 86400e6 END AS active_days,
    CASE WHEN c.done_at > c.started_at
        THEN (coalesce(c.active_us, 0) - coalesce(ab.us, 0))
            / (epoch_us(c.done_at) - epoch_us(c.started_at)) END AS flow_efficiency
FROM clocked AS c
LEFT JOIN blocked AS b USING (item_id)
LEFT JOIN active_blocked AS ab USING (item_id);
