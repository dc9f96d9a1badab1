"""The demo's Jira generator: realistic raw payloads that tell the pilot's story.

Everything here is computed with plain Python from the payloads themselves, so these tests check
the generator's own guarantees independently of Koers's ingest and metrics code.
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
import time
import tomllib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config import DEMO_CONFIG
from demo.jira import (
    FICTIONAL_PEOPLE,
    PILOT_START,
    JiraPayloads,
    generate_subsidies,
    generate_vergunningen,
)

AMS = ZoneInfo("Europe/Amsterdam")
END = datetime(2026, 11, 27, 17, 0, tzinfo=AMS)
PILOT = datetime.combine(PILOT_START, datetime.min.time(), AMS)
BASELINE = PILOT - timedelta(weeks=12)
DISCARD = {"Won't Do", "Duplicate", "Cannot Reproduce"}
DELETED_STATUS = "10050"  # subsidies' "On hold", gone from /status
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
GENERATORS = {"vergunningen": generate_vergunningen, "subsidies": generate_subsidies}


@pytest.fixture(scope="module")
def payloads() -> dict[str, JiraPayloads]:
    return {team: generate(END) for team, generate in GENERATORS.items()}


@pytest.fixture(params=list(GENERATORS))
def team(request: pytest.FixtureRequest) -> str:
    return request.param


# --- helpers ----------------------------------------------------------------------------------


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def categories(p: JiraPayloads) -> dict[str, str]:
    return {s["id"]: s["statusCategory"]["key"] for s in p.statuses}


def chronological(issue: dict) -> list[dict]:
    return sorted(issue["changelog"]["histories"], key=lambda h: (ts(h["created"]), int(h["id"])))


def changes(issue: dict, field: str) -> list[tuple[datetime, dict]]:
    return [
        (ts(h["created"]), item)
        for h in chronological(issue)
        for item in h["items"]
        if item["field"] == field
    ]


def in_flow(issue: dict) -> bool:
    kind = issue["fields"]["issuetype"]
    return not kind["subtask"] and kind["name"] != "Epic"


def discarded(issue: dict) -> bool:
    resolution = issue["fields"]["resolution"]
    return resolution is not None and resolution["name"] in DISCARD


def intervals(issue: dict) -> list[tuple[datetime, str]]:
    """(start, status id) of each status interval, from creation on (METRICS.md §1)."""
    status = changes(issue, "status")
    initial = status[0][1]["from"] if status else issue["fields"]["status"]["id"]
    return [(ts(issue["fields"]["created"]), initial)] + [(t, i["to"]) for t, i in status]


def done_at(issue: dict, cats: dict[str, str]) -> datetime | None:
    """Start of the final unbroken run of done-category statuses (Done → Closed counts Done)."""
    runs = intervals(issue)
    if cats.get(runs[-1][1]) != "done":
        return None
    k = len(runs) - 1
    while k > 0 and cats.get(runs[k - 1][1]) == "done":
        k -= 1
    return runs[k][0]


def lead_times(p: JiraPayloads, start: datetime, stop: datetime) -> list[float]:
    """Lead times in days of the in-flow, not discarded items done in [start, stop)."""
    cats = categories(p)
    out = []
    for issue in p.issues:
        done = done_at(issue, cats)
        if in_flow(issue) and not discarded(issue) and done and start <= done < stop:
            out.append((done - ts(issue["fields"]["created"])).total_seconds() / 86400)
    return out


def all_timestamps(p: JiraPayloads) -> list[str]:
    out = []
    for issue in p.issues:
        f = issue["fields"]
        out += [f["created"], f["updated"]] + ([f["resolutiondate"]] if f["resolutiondate"] else [])
        out += [h["created"] for h in issue["changelog"]["histories"]]
    return out


def walk(value: Any) -> Any:
    """Every scalar in a JSON document."""
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


# --- determinism, size, speed ---------------------------------------------------------------------


def test_same_end_gives_byte_identical_payloads(team: str, payloads: dict) -> None:
    again = GENERATORS[team](END)
    assert json.dumps(dataclasses.asdict(again)) == json.dumps(dataclasses.asdict(payloads[team]))


def test_generation_is_fast(team: str) -> None:
    started = time.perf_counter()
    GENERATORS[team](END)
    assert time.perf_counter() - started < 1.0


def test_sizes(payloads: dict) -> None:
    assert 700 <= len(payloads["vergunningen"].issues) <= 1000
    assert 500 <= len(payloads["subsidies"].issues) <= 800


def test_end_must_be_aware() -> None:
    with pytest.raises(ValueError):
        generate_vergunningen(END.replace(tzinfo=None))


# --- timestamps ---------------------------------------------------------------------------------


def test_timestamps_are_jira_formatted_and_within_18_months(team: str, payloads: dict) -> None:
    stamps = all_timestamps(payloads[team])
    assert all(TS.match(s) for s in stamps)
    parsed = [ts(s) for s in stamps]
    assert max(parsed) <= END
    assert min(parsed) >= datetime(2025, 5, 27, 17, 0, tzinfo=AMS)


def test_offsets_follow_amsterdam_dst(team: str, payloads: dict) -> None:
    offsets = Counter()
    for s in all_timestamps(payloads[team]):
        dt = ts(s)
        assert dt.utcoffset() == dt.astimezone(AMS).utcoffset(), s
        offsets[s[-5:]] += 1
    assert set(offsets) == {"+0100", "+0200"}
    assert ts("2026-01-15T10:00:00.000+0100").utcoffset() == timedelta(hours=1)


def test_work_happens_on_weekdays_in_office_hours(team: str, payloads: dict) -> None:
    for issue in payloads[team].issues:
        for s in [issue["fields"]["created"]] + [
            h["created"] for h in issue["changelog"]["histories"]
        ]:
            local = ts(s).astimezone(AMS)
            assert local.weekday() < 5, s
            assert "08:30" <= f"{local:%H:%M}" <= "17:30", s


def test_milliseconds_vary(team: str, payloads: dict) -> None:
    millis = {s[20:23] for s in all_timestamps(payloads[team])}
    assert len(millis) > 500


# --- changelog and ids ------------------------------------------------------------------------


def test_embedded_changelog_is_complete(team: str, payloads: dict) -> None:
    for issue in payloads[team].issues:
        log = issue["changelog"]
        assert log["startAt"] == 0
        assert log["total"] == log["maxResults"] == len(log["histories"])


def test_history_order_follows_the_flavour(payloads: dict) -> None:
    """Cloud embeds histories newest-first, Data Center oldest-first."""
    for team, newest_first in (("vergunningen", True), ("subsidies", False)):
        for issue in payloads[team].issues:
            ids = [int(h["id"]) for h in issue["changelog"]["histories"]]
            assert ids == sorted(ids, reverse=newest_first)


def test_ids_are_unique(team: str, payloads: dict) -> None:
    issues = payloads[team].issues
    for key in ("id", "key"):
        values = [i[key] for i in issues]
        assert len(values) == len(set(values))
    histories = [h for i in issues for h in i["changelog"]["histories"]]
    assert len({h["id"] for h in histories}) == len(histories)
    assert all(i["id"].isdigit() and i["key"].split("-")[1].isdigit() for i in issues)


def test_history_ids_increase_over_the_whole_instance(team: str, payloads: dict) -> None:
    histories = [h for i in payloads[team].issues for h in i["changelog"]["histories"]]
    by_id = sorted(histories, key=lambda h: int(h["id"]))
    times = [ts(h["created"]) for h in by_id]
    assert times == sorted(times)


def test_keys_follow_creation_order(team: str, payloads: dict) -> None:
    issues = sorted(payloads[team].issues, key=lambda i: int(i["key"].split("-")[1]))
    created = [ts(i["fields"]["created"]) for i in issues]
    assert created == sorted(created)


def test_status_changes_chain(team: str, payloads: dict) -> None:
    """Each change starts where the previous ended; the last ends in the current status."""
    for issue in payloads[team].issues:
        status = [item for _, item in changes(issue, "status")]
        for before, after in zip(status, status[1:], strict=False):
            assert after["from"] == before["to"], issue["key"]
        if status:
            assert status[-1]["to"] == issue["fields"]["status"]["id"], issue["key"]
        assert all(item["from"] != item["to"] for item in status)


def test_status_ids_exist_except_the_deleted_one(team: str, payloads: dict) -> None:
    p = payloads[team]
    known = categories(p)
    used = Counter()
    for issue in p.issues:
        assert issue["fields"]["status"]["id"] in known
        for _, item in changes(issue, "status"):
            used.update([item["from"], item["to"]])
    unknown = set(used) - set(known)
    if team == "subsidies":
        assert unknown == {DELETED_STATUS}
        visitors = [
            i
            for i in p.issues
            if any(item["to"] == DELETED_STATUS for _, item in changes(i, "status"))
        ]
        assert 3 <= len(visitors) <= 10
        assert all(ts(i["fields"]["created"]) < datetime(2025, 10, 6, tzinfo=AMS) for i in visitors)
        names = {
            item["toString"]
            for i in visitors
            for _, item in changes(i, "status")
            if item["to"] == DELETED_STATUS
        }
        assert names == {"On hold"}
    else:
        assert unknown == set()


def test_renamed_status_keeps_its_old_name_in_old_histories(payloads: dict) -> None:
    p = payloads["subsidies"]
    ready = next(s["id"] for s in p.statuses if s["name"] == "Klaar voor test")
    assert "Te testen" not in {s["name"] for s in p.statuses}
    old = [
        (t, item)
        for i in p.issues
        for t, item in changes(i, "status")
        if "Te testen" in (item["fromString"], item["toString"])
    ]
    assert 3 <= len({id(item) for _, item in old}) <= 40
    for t, item in old:
        assert t < datetime(2025, 7, 21, tzinfo=AMS)
        side = "to" if item["toString"] == "Te testen" else "from"
        assert item[side] == ready


def test_status_catalogue_matches_the_demo_config(team: str, payloads: dict) -> None:
    workflow = tomllib.loads(DEMO_CONFIG.read_text())["teams"][team]["workflow"]
    statuses = {s["name"]: s["statusCategory"] for s in payloads[team].statuses}
    for stage, category in (("in_progress", "indeterminate"), ("done", "done")):
        for name in workflow[stage]:
            assert statuses[name]["key"] == category
    assert set(workflow["waiting"]) <= set(workflow["in_progress"])
    standard = {"new": 2, "indeterminate": 4, "done": 3}
    assert all(c["id"] == standard[c["key"]] for c in statuses.values())
    assert all(isinstance(s["id"], str) for s in payloads[team].statuses)


def test_resolution_matches_the_status(team: str, payloads: dict) -> None:
    p = payloads[team]
    cats = categories(p)
    for issue in p.issues:
        f = issue["fields"]
        done = cats[f["status"]["id"]] == "done"
        assert (f["resolution"] is not None) == done == (f["resolutiondate"] is not None)
        resolutions = changes(issue, "resolution")
        if done:
            t, last = resolutions[-1]
            assert last["to"] == f["resolution"]["id"]
            assert last["toString"] == f["resolution"]["name"]
            assert ts(f["resolutiondate"]) == t
        elif resolutions:
            assert resolutions[-1][1]["to"] is None  # cleared on reopen


def test_updated_is_not_before_the_last_change(team: str, payloads: dict) -> None:
    recent = 0
    for issue in payloads[team].issues:
        updated = ts(issue["fields"]["updated"])
        assert updated >= ts(issue["fields"]["created"])
        assert all(updated >= ts(h["created"]) for h in issue["changelog"]["histories"])
        recent += updated > END - timedelta(days=3)
    assert recent >= 10


# --- shapes -------------------------------------------------------------------------------------


def test_cloud_shapes(payloads: dict) -> None:
    p = payloads["vergunningen"]
    assert p.server_info["deploymentType"] == "Cloud"
    levels = Counter()
    for issue in p.issues:
        kind = issue["fields"]["issuetype"]
        levels[kind["hierarchyLevel"]] += 1
        assert kind["subtask"] == (kind["hierarchyLevel"] == -1)
        assert issue["key"].startswith("VERG-")
        assert "/rest/api/3/" in issue["self"]
        if kind["subtask"]:
            assert issue["fields"]["parent"]["fields"]["issuetype"]["hierarchyLevel"] == 0
        for h in issue["changelog"]["histories"]:
            assert set(h["author"]) >= {
                "accountId",
                "displayName",
                "active",
                "timeZone",
                "accountType",
            }
            assert all("fieldId" in item for item in h["items"])
    assert set(levels) == {-1, 0, 1}
    epic_children = [
        i
        for i in p.issues
        if "parent" in i["fields"]
        and i["fields"]["parent"]["fields"]["issuetype"]["hierarchyLevel"] == 1
    ]
    assert len(epic_children) > 100
    assigned = [item for i in p.issues for _, item in changes(i, "assignee")]
    assert assigned and all("tmpToAccountId" in item for item in assigned)


def test_data_center_shapes(payloads: dict) -> None:
    p = payloads["subsidies"]
    assert p.server_info["deploymentType"] == "Server"
    keys = {i["key"]: i for i in p.issues}
    linked = 0
    for issue in p.issues:
        f = issue["fields"]
        assert "hierarchyLevel" not in f["issuetype"]
        assert issue["key"].startswith("SUB-")
        assert ("parent" in f) == f["issuetype"]["subtask"]
        if f["customfield_10100"]:
            linked += 1
            assert keys[f["customfield_10100"]]["fields"]["issuetype"]["name"] == "Epic"
        for h in issue["changelog"]["histories"]:
            assert set(h["author"]) >= {"name", "key", "emailAddress", "displayName", "active"}
            assert all("fieldId" not in item for item in h["items"])
    assert linked > 100
    assert {i["fields"]["issuetype"]["name"] for i in p.issues} == {
        "Story",
        "Bug",
        "Taak",
        "Epic",
        "Subtaak",
    }


def test_field_catalogue(payloads: dict) -> None:
    def by_name(p: JiraPayloads) -> dict[str, dict]:
        return {f["name"]: f for f in p.fields}

    cloud, dc = by_name(payloads["vergunningen"]), by_name(payloads["subsidies"])
    assert cloud["Story point estimate"]["schema"]["custom"] == (
        "com.pyxis.greenhopper.jira:jsw-story-points"
    )
    assert cloud["Story point estimate"]["id"] == "customfield_10016"
    assert cloud["Flagged"]["id"] == "customfield_10021"
    assert dc["Epic Link"]["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-epic-link"
    assert dc["Epic Link"]["id"] == "customfield_10100"
    assert dc["Story Points"]["id"] == "customfield_10106"
    assert dc["Flagged"]["id"] == "customfield_10200"
    assert "Epic Link" not in cloud
    for p in payloads.values():
        ids = [f["id"] for f in p.fields]
        assert len(ids) == len(set(ids))
        fields = {f["id"] for f in p.fields}
        assert all(set(i["fields"]) <= fields for i in p.issues)


def test_flagged_values(team: str, payloads: dict) -> None:
    flagged_field = {"vergunningen": "customfield_10021", "subsidies": "customfield_10200"}[team]
    for issue in payloads[team].issues:
        flags = changes(issue, "Flagged")
        value = issue["fields"][flagged_field]
        on = bool(flags) and flags[-1][1]["toString"] == "Impediment"
        assert (value is not None) == on
        if value:
            assert value[0]["value"] == "Impediment"
        for (_, a), (_, b) in zip(flags, flags[1:], strict=False):
            assert a["toString"] != b["toString"]  # set and cleared in turn
        assert all(item["fieldtype"] == "custom" for _, item in flags)


def test_some_items_are_blocked_right_now(team: str, payloads: dict) -> None:
    flagged_field = {"vergunningen": "customfield_10021", "subsidies": "customfield_10200"}[team]
    cats = categories(payloads[team])
    blocked = [i for i in payloads[team].issues if i["fields"][flagged_field]]
    assert blocked
    assert all(cats[i["fields"]["status"]["id"]] == "indeterminate" for i in blocked)


# --- the variety a real project has ---------------------------------------------------------------


def test_each_team_has_the_usual_variety(team: str, payloads: dict) -> None:
    p = payloads[team]
    cats = categories(p)
    names = {s["id"]: s["name"] for s in p.statuses}

    def count(predicate: Any) -> int:
        return sum(1 for issue in p.issues if predicate(issue))

    def moves(issue: dict) -> list[tuple[str, str]]:
        return [
            (cats.get(i["from"], "?"), cats.get(i["to"], "?")) for _, i in changes(issue, "status")
        ]

    current = Counter(cats[i["fields"]["status"]["id"]] for i in p.issues if in_flow(i))
    assert count(lambda i: i["fields"]["issuetype"]["name"] == "Epic") >= 5
    assert count(lambda i: i["fields"]["issuetype"]["subtask"]) >= 30
    assert count(lambda i: changes(i, "Flagged")) >= 10
    assert count(lambda i: ("done", "indeterminate") in moves(i)) >= 5  # reopened
    assert count(discarded) >= 30
    assert {i["fields"]["resolution"]["name"] for i in p.issues if discarded(i)} == DISCARD
    assert count(lambda i: moves(i) == [("new", "done")] and not discarded(i)) >= 3  # skipped
    assert count(lambda i: ("indeterminate", "new") in moves(i)) >= 5  # back to the backlog
    assert (
        count(
            lambda i: any(
                names.get(c["from"]) == "Gereed" and names.get(c["to"]) == "Gesloten"
                for _, c in changes(i, "status")
            )
        )
        >= 20
    )
    assert (
        count(
            lambda i: (
                in_flow(i)
                and changes(i, "status")
                and cats[changes(i, "status")[0][1]["from"]] == "indeterminate"
            )
        )
        >= 3
    )  # direct
    assert current["new"] >= 20 and current["indeterminate"] >= 5  # backlog and WIP at `end`
    assert count(lambda i: changes(i, "assignee")) >= 200


def test_titles_are_dutch_and_varied(team: str, payloads: dict) -> None:
    summaries = Counter(i["fields"]["summary"] for i in payloads[team].issues)
    assert len(summaries) >= 100
    assert all(s and s == s.strip() for s in summaries)
    assert max(summaries.values()) < 0.05 * sum(summaries.values())


def test_fictional_people_are_in_the_raw_payloads(payloads: dict) -> None:
    """Present in raw input, so the privacy tests can prove Koers drops them at ingest."""
    text = json.dumps([dataclasses.asdict(p) for p in payloads.values()])
    for person in FICTIONAL_PEOPLE:
        assert person.display_name in text
        if person.team == "vergunningen":
            assert person.account_id in text
        else:
            assert person.username in text and person.email in text
    everything = {v for p in payloads.values() for v in walk(dataclasses.asdict(p))}
    assert {p.display_name for p in FICTIONAL_PEOPLE} <= everything


# --- the story ----------------------------------------------------------------------------------


def test_vergunningen_lead_time_falls_by_more_than_half(payloads: dict) -> None:
    p = payloads["vergunningen"]
    before, after = lead_times(p, BASELINE, PILOT), lead_times(p, PILOT, END)
    assert len(before) >= 40 and len(after) >= 150
    assert statistics.median(after) < 0.5 * statistics.median(before)
    assert 25 <= statistics.median(before) <= 55
    assert 8 <= statistics.median(after) <= 16


def test_subsidies_lead_time_does_not_change(payloads: dict) -> None:
    p = payloads["subsidies"]
    before, after = lead_times(p, BASELINE, PILOT), lead_times(p, PILOT, END)
    assert len(before) >= 40 and len(after) >= 150
    m_before, m_after = statistics.median(before), statistics.median(after)
    assert abs(m_after - m_before) / m_before < 0.3
    assert 40 <= m_before <= 80 and 40 <= m_after <= 80


def weekly_throughput(p: JiraPayloads) -> Counter:
    cats = categories(p)
    weeks: Counter = Counter()
    for issue in p.issues:
        done = done_at(issue, cats)
        if in_flow(issue) and not discarded(issue) and done:
            day = done.astimezone(AMS).date()
            weeks[day - timedelta(days=day.weekday())] += 1
    return weeks


def mean_wip(p: JiraPayloads, start: datetime, stop: datetime) -> float:
    """Mean number of in-flow items in an in-progress status at the end of each weekday."""
    cats = categories(p)
    cats[DELETED_STATUS] = "indeterminate"
    runs = [intervals(i) for i in p.issues if in_flow(i)]
    counts, day = [], start
    while day < stop:
        if day.weekday() < 5:
            moment = day.replace(hour=18)
            counts.append(
                sum(
                    1
                    for r in runs
                    if r[0][0] <= moment
                    and cats[[s for t, s in r if t <= moment][-1]] == "indeterminate"
                )
            )
        day += timedelta(days=1)
    return statistics.mean(counts)


def test_vergunningen_flows_steadily_with_limited_wip(payloads: dict) -> None:
    p = payloads["vergunningen"]
    weeks = weekly_throughput(p)
    settled = PILOT_START + timedelta(weeks=4)
    last_full = END.date() - timedelta(days=END.weekday() + 7)
    pilot_weeks = [
        weeks[settled + timedelta(weeks=k)] for k in range((last_full - settled).days // 7 + 1)
    ]
    assert all(5 <= n <= 9 for n in pilot_weeks)
    before = [weeks[PILOT_START - timedelta(weeks=k)] for k in range(1, 13)]
    assert statistics.pstdev(before) > 2 * statistics.pstdev(pilot_weeks)  # bunched releases
    wip_pilot = mean_wip(p, PILOT + timedelta(weeks=4), END)
    assert 5 <= wip_pilot <= 10
    assert mean_wip(p, BASELINE, PILOT) > 2 * wip_pilot


def test_subsidies_completions_bunch_before_quarterly_releases(payloads: dict) -> None:
    weeks = weekly_throughput(payloads["subsidies"])
    total = sum(weeks.values())
    top = sum(n for _, n in weeks.most_common(6))
    assert top > 0.75 * total
