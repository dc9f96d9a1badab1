"""How fast `sync` brings Jira issues in: a full sync of 20,000 issues, then a repeat with nothing
changed, from the loopback fake Jira (tests/fakes/jira.py).

    python bench/sync_jira.py [--issues N] [--flavour cloud|dc|both] [--profile]

Every issue has about ten status changes (and a flag or an assignee change now and then, with
the people fields a real Jira sends); one in fifty has a long history that Cloud truncates, so the
changelog completion is part of the run. Building the payloads and starting the fake are not
timed. Targets: at least 1,000 issues/s for the full sync on loopback, under 2 s for the repeat.
`--profile` prints where the full sync's time goes (cProfile, top 25 by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import config  # noqa: E402
from connectors.sync import Progress, sync  # noqa: E402
from tests.fakes.jira import FakeJira  # noqa: E402

TARGET_RATE = 1000.0  # issues/s, full sync
TARGET_REPEAT = 2.0  # seconds, unchanged repeat
ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2024, 1, 8, 9, 0, tzinfo=ZONE)
FLOW = ["To Do", "Refinement", "In Progress", "Review", "Ready for test", "Testing", "Done"]
CATEGORY = {"To Do": "new", "Refinement": "new", "Done": "done"}
STATUS_IDS = {name: str(10000 + i) for i, name in enumerate(FLOW)}
PEOPLE = [
    {"accountId": f"712020:bench-{i:04d}", "displayName": f"Bench Persoon {i}",
     "emailAddress": f"bench.persoon{i}@gemeente.test", "active": True,
     "timeZone": "Europe/Amsterdam", "accountType": "atlassian"}
    for i in range(12)
]  # fmt: skip
CAT = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


def _status(name: str) -> dict:
    return {
        "self": f"https://bench.atlassian.net/rest/api/2/status/{STATUS_IDS[name]}",
        "name": name,
        "id": STATUS_IDS[name],
        "statusCategory": CAT[CATEGORY.get(name, "indeterminate")],
    }


STATUSES = [_status(name) for name in FLOW]
FIELDS = [
    {"id": "summary", "key": "summary", "name": "Summary", "custom": False,
     "schema": {"type": "string", "system": "summary"}},
    {"id": "customfield_10021", "key": "customfield_10021", "name": "Flagged", "custom": True,
     "schema": {"type": "array", "items": "option",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes"}},
    {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate",
     "custom": True,
     "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"}},
]  # fmt: skip


# `python -m koers …`, then its own peak resident memory (KiB) on stdout.
PEAK = (
    "import runpy, sys\n"
    "sys.argv = ['koers', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('koers', run_name='__main__')\n"
    "except SystemExit as exit:\n"
    "    if exit.code: raise\n"
    "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n"
)


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}" + dt.strftime("%z")


def generate(count: int, seed: int = 4) -> list[dict]:
    """`count` Cloud-shaped issues, each with about ten status changes (deterministic)."""
    rng = random.Random(seed)
    issues = []
    history_id = 100000
    for n in range(1, count + 1):
        created = START + timedelta(minutes=47 * n + rng.randrange(40))
        person = PEOPLE[n % len(PEOPLE)]
        moves = [("To Do", "Refinement"), ("Refinement", "In Progress")]
        for _ in range(rng.randrange(1, 3)):  # review rounds: sent back once or twice
            moves += [("In Progress", "Review"), ("Review", "In Progress")]
        moves += [("In Progress", "Review"), ("Review", "Ready for test"),
                  ("Ready for test", "Testing"), ("Testing", "Done")]  # fmt: skip
        if n % 50 == 0:  # a long-lived item: Cloud embeds only its newest 40 histories
            moves[2:2] = [("In Progress", "Review"), ("Review", "In Progress")] * 22
        histories = []
        at = created
        for old, new in moves:
            at = at + timedelta(hours=rng.randrange(1, 30), seconds=rng.randrange(3600))
            history_id += 1
            histories.append({
                "id": str(history_id),
                "author": PEOPLE[(n + history_id) % len(PEOPLE)],
                "created": _ts(at),
                "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                           "from": STATUS_IDS[old], "fromString": old,
                           "to": STATUS_IDS[new], "toString": new}],
            })  # fmt: skip
        if n % 7 == 0:
            history_id += 1
            histories.append({
                "id": str(history_id), "author": person, "created": _ts(at),
                "items": [{"field": "assignee", "fieldtype": "jira", "fieldId": "assignee",
                           "from": None, "fromString": None, "to": person["accountId"],
                           "toString": person["displayName"],
                           "tmpToAccountId": person["accountId"]}],
            })  # fmt: skip
        histories.reverse()  # Jira embeds the newest first
        issues.append({
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(10000 + n),
            "self": f"https://bench.atlassian.net/rest/api/3/issue/{10000 + n}",
            "key": f"BENCH-{n}",
            "changelog": {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                          "histories": histories},
            "fields": {
                "summary": f"Werkitem {n}: formulier stap {n % 9} vereenvoudigen",
                "status": _status("Done"),
                "issuetype": {"id": "10004", "name": "Story", "subtask": False,
                              "hierarchyLevel": 0},
                "created": _ts(created), "updated": _ts(at),
                "resolution": {"id": "10000", "name": "Done"}, "resolutiondate": _ts(at),
                "labels": ["bench"], "components": [{"id": "10020", "name": "Formulieren"}],
                "priority": {"id": "3", "name": "Medium"},
                "assignee": person, "reporter": PEOPLE[0], "creator": PEOPLE[0],
                "customfield_10016": float(rng.choice((1, 2, 3, 5, 8))),
                "customfield_10021": None,
            },
        })  # fmt: skip
    return issues


def write_config(folder: Path, fake: FakeJira, flavour: str) -> Path:
    email = 'email_env = "BENCH_JIRA_EMAIL"\n' if flavour == "cloud" else ""
    path = folder / "koers.toml"
    path.write_text(
        f'[koers]\ndatabase = "{folder / "koers.duckdb"}"\nlanguage = "en"\n'
        f'[sources.jira]\ntype = "jira"\nurl = "{fake.url}"\ntoken_env = "BENCH_JIRA_TOKEN"\n'
        + email
        + '[teams.bench]\njira = { source = "jira", jql = "project = BENCH" }\n',
        encoding="utf-8",
    )
    return path


def run(flavour: str, issues: list[dict], profile: bool) -> tuple[float, float, float]:
    os.environ["BENCH_JIRA_TOKEN"] = "bench-token"
    os.environ["BENCH_JIRA_EMAIL"] = "bench@gemeente.test"
    fake = FakeJira(
        "cloud" if flavour == "cloud" else "dc",
        statuses=STATUSES,
        fields=FIELDS,
        issues=issues,
        email="bench@gemeente.test",
        token="bench-token",
        page_cap=100,
    ).start()
    try:
        with tempfile.TemporaryDirectory(prefix="koers-bench-") as tmp:
            cfg = config.load(write_config(Path(tmp), fake, flavour))
            profiler = cProfile.Profile() if profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            full = sync(cfg, None, False, Progress(None))
            if profiler:
                profiler.disable()
            full_s = time.perf_counter() - started
            assert full.issues == len(issues), full.issues
            started = time.perf_counter()
            again = sync(cfg, None, False, Progress(None))
            repeat_s = time.perf_counter() - started
            for issue in issues[:: len(issues) // 20][:20]:  # 20 issues edited in Jira
                edited = dict(issue, fields=dict(issue["fields"], updated=_ts(datetime.now(ZONE))))
                fake.put_issue(edited)
            started = time.perf_counter()
            some = sync(cfg, None, False, Progress(None))
            some_s = time.perf_counter() - started
            started = time.perf_counter()
            cli = subprocess.run(
                [sys.executable, "-m", "koers", "sync", "--config", str(cfg.path)],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            cli_s = time.perf_counter() - started
            if cli.returncode != 0:
                raise SystemExit(cli.stderr)
            started = time.perf_counter()
            cli_full = subprocess.run(
                [sys.executable, "-c", PEAK, "sync", "--full", "--config", str(cfg.path)],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            full_cli_s = time.perf_counter() - started
            if cli_full.returncode != 0:
                raise SystemExit(cli_full.stderr)
            peak = int(cli_full.stdout.split()[-1]) / 1024  # KiB → MiB
            size = cfg.database.stat().st_size / 1e6
            print(
                f"{flavour:5}  full: {len(issues):,} issues in {full_s:.1f} s = "
                f"{len(issues) / full_s:,.0f} issues/s ({full.completed:,} changelogs completed, "
                f"{size:.0f} MB warehouse)\n"
                f"       repeat, nothing changed: {again.issues} issue re-read (the overlap) in "
                f"{repeat_s:.2f} s; {cli_s:.2f} s as `python -m koers sync`\n"
                f"       repeat, 20 issues edited: {some.landed} landed and normalized in "
                f"{some_s:.2f} s\n"
                f"       `python -m koers sync --full` in a process of its own: "
                f"{full_cli_s:.1f} s, peak memory {peak:.0f} MiB"
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                print(out.getvalue())
            return len(issues) / full_s, repeat_s, cli_s
    finally:
        fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=20_000)
    parser.add_argument("--flavour", choices=["cloud", "dc", "both"], default="both")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    issues = generate(args.issues)
    histories = sum(len(i["changelog"]["histories"]) for i in issues)
    print(
        f"{len(issues):,} issues, {histories / len(issues):.1f} histories each on average "
        f"(generated in {time.perf_counter() - started:.1f} s, not timed)"
    )
    ok = True
    for flavour in ("cloud", "dc") if args.flavour == "both" else (args.flavour,):
        rate, repeat, _ = run(flavour, issues, args.profile)
        ok &= rate >= TARGET_RATE and repeat < TARGET_REPEAT
    print(
        f"targets: ≥ {TARGET_RATE:,.0f} issues/s full, < {TARGET_REPEAT:g} s repeat: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
