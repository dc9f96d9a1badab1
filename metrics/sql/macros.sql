-- Building blocks shared by the period queries; temporary, per TeamFlow cursor.

-- The items that count in aggregates (METRICS.md §1: in flow, complete history, not discarded)
-- done in [start_at, end_at) and by as_of.
CREATE OR REPLACE TEMP MACRO done_in(start_at, end_at, as_of) AS TABLE
    SELECT *
    FROM item_facts
    WHERE counted AND done_at >= start_at AND done_at < end_at AND done_at <= as_of;

-- Every ISO week (its Monday) that overlaps the days first_day … last_day.
CREATE OR REPLACE TEMP MACRO period_weeks(first_day, last_day) AS TABLE
    SELECT w::DATE AS week
    FROM generate_series(
        date_trunc('week', first_day::DATE)::TIMESTAMP, last_day::DATE::TIMESTAMP, INTERVAL 1 WEEK
    ) AS g(w);

-- Every day first_day … last_day with the moment its end-of-day state is read: midnight in the
-- team's zone, or as_of for a day that is not over yet.
CREATE OR REPLACE TEMP MACRO period_days(first_day, last_day, tz, as_of) AS TABLE
    SELECT d::DATE AS day, least(timezone(tz, d + INTERVAL 1 DAY), as_of) AS t
    FROM generate_series(first_day::DATE::TIMESTAMP, last_day::DATE::TIMESTAMP, INTERVAL 1 DAY)
        AS g(d);
