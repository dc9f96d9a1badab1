"""How fast `sync` brings GitLab in: a full sync of one project with 5,000 merged merge requests and
2,000 deployments, then a repeat with nothing changed, from the loopback fake GitLab
(tests/fakes/gitlab.py).

    python bench/sync_gitlab.py [--merge-requests N] [--deployments N] [--profile]

Every merge request is merged, with one to four commits, the author's own comment and (for most)
an approval by someone else; a few are squashed or fast-forwarded. The project has a production
and a staging environment; most deployments go to production, and each ships the merge requests
merged since the previous deployment to its environment. A few incidents, most of them closed.
Building the payloads and starting the fake are not timed. There are no targets (issue 5): the
figures are printed for the README. Each merged MR costs two requests (its commits, its notes) and
each deployment one (its merge requests); what a page of them brings lands in one write per table.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import config  # noqa: E402
from connectors.sync import Progress, sync  # noqa: E402
from tests.fakes.gitlab import (  # noqa: E402
    FakeGitLab,
    commit,
    deployment,
    environment,
    incident,
    merge_request,
    note,
    user,
)

TOKEN = "glpat-bench-token"
PROJECT_ID = 7
PATH = "gemeente/loket"
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
MR_EVERY = timedelta(minutes=100)  # merges, on average
PEOPLE = [user(100 + i, f"bench.persoon{i}", f"Bench Persoon {i}") for i in range(12)]
PRODUCTION, STAGING = "production", "staging"
PRODUCTION_SHARE = 0.85  # of the deployments
INCIDENTS = 8

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


def generate(mr_count: int, deploy_count: int, seed: int = 5) -> dict:
    """FakeGitLab's data: one project, `mr_count` merged MRs, `deploy_count` deployments to
    production or staging, a few incidents (deterministic)."""
    rng = random.Random(seed)
    mrs = []
    merged_at = []
    note_id = 500000
    for iid in range(1, mr_count + 1):
        merged = START + MR_EVERY * iid + timedelta(minutes=rng.randrange(60))
        created = merged - timedelta(hours=rng.randrange(2, 96), minutes=rng.randrange(60))
        author = PEOPLE[iid % len(PEOPLE)]
        other = PEOPLE[(iid + 1 + rng.randrange(len(PEOPLE) - 1)) % len(PEOPLE)]
        at = created - timedelta(hours=rng.randrange(1, 48))
        commits = []
        for c in range(rng.randrange(1, 5)):
            at += timedelta(minutes=rng.randrange(10, 600))
            commits.append(commit(
                f"{iid:08x}{c:02x}" + "c" * 30, min(at, merged - timedelta(minutes=5)),
                title=f"Stap {c + 1} van wijziging {iid}", author_name=author["name"],
                author_email=f"{author['username']}@gemeente.test", path=PATH,
            ))  # fmt: skip
        review = created + (merged - created) / 2
        notes = [note(note_id + 1, author, created + timedelta(minutes=3),
                      f"Klaar voor review, @{other['username']}", noteable_iid=iid)]  # fmt: skip
        if rng.random() < 0.9:  # approved by someone else
            notes.append(note(note_id + 2, other, review, "approved this merge request",
                              system=True, noteable_iid=iid))  # fmt: skip
        elif rng.random() < 0.5:  # approved by the author only
            notes.append(note(note_id + 2, author, review, "approved this merge request",
                              system=True, noteable_iid=iid))  # fmt: skip
        notes.append(note(note_id + 3, other, review - timedelta(minutes=20),
                          "Kleine opmerking over de validatie", noteable_iid=iid))  # fmt: skip
        notes.sort(key=lambda n: n["created_at"])
        note_id += 10
        mrs.append(merge_request(
            PROJECT_ID, iid, created=created, merged=merged, author=author, merger=other,
            path=PATH, squash=iid % 5 == 0, fast_forward=iid % 7 == 0, commits=commits,
            notes=notes, title=f"Wijziging {iid}: formulier stap {iid % 9} vereenvoudigen",
        ))  # fmt: skip
        merged_at.append(merged)

    span = merged_at[-1] - merged_at[0] + timedelta(hours=2)
    every = span / deploy_count
    deployments = []
    shipped = {PRODUCTION: 0, STAGING: 0}  # MRs (by index) already deployed to each environment
    seen = 0  # MRs (by index) merged before the previous deployment, to either environment
    for n in range(1, deploy_count + 1):
        env = PRODUCTION if rng.random() < PRODUCTION_SHARE else STAGING
        finished = merged_at[0] + every * n + timedelta(minutes=rng.randrange(30))
        # production ships everything merged since its previous deployment; staging what is new
        first = shipped[env] if env == PRODUCTION else seen
        last = first
        while last < len(merged_at) and merged_at[last] < finished - timedelta(minutes=10):
            last += 1
        shipped[env] = seen = last
        deployments.append(deployment(
            n, PROJECT_ID, env, finished, merge_request_iids=range(first + 1, last + 1),
            path=PATH,
        ))  # fmt: skip

    incidents = []
    for n in range(1, INCIDENTS + 1):
        opened = merged_at[0] + span * n / (INCIDENTS + 1)
        closed = opened + timedelta(hours=rng.randrange(1, 30)) if n < INCIDENTS else None
        incidents.append(incident(9000 + n, PROJECT_ID, n, opened, closed, path=PATH))

    return {
        "projects": [{"id": PROJECT_ID, "path_with_namespace": PATH}],
        "environments": [
            environment(70, PROJECT_ID, PRODUCTION, "production"),
            environment(71, PROJECT_ID, STAGING, "staging"),
        ],
        "merge_requests": mrs,
        "deployments": deployments,
        "issues": incidents,
    }


def write_config(folder: Path, fake: FakeGitLab) -> Path:
    path = folder / "koers.toml"
    path.write_text(
        f'[koers]\ndatabase = "{folder / "koers.duckdb"}"\nlanguage = "en"\n'
        f'[sources.gitlab]\ntype = "gitlab"\nurl = "{fake.url}"\n'
        'token_env = "BENCH_GITLAB_TOKEN"\n'
        f'[teams.bench]\ngitlab = {{ source = "gitlab", projects = ["{PATH}"] }}\n',
        encoding="utf-8",
    )
    return path


def run(data: dict, profile: bool) -> None:
    os.environ["BENCH_GITLAB_TOKEN"] = TOKEN
    mrs = len(data["merge_requests"])
    fake = FakeGitLab(token=TOKEN, **data).start()
    try:
        with tempfile.TemporaryDirectory(prefix="koers-bench-") as tmp:
            cfg = config.load(write_config(Path(tmp), fake))
            profiler = cProfile.Profile() if profile else None
            requests = len(fake.requests)
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            full = sync(cfg, None, False, Progress(None))
            if profiler:
                profiler.disable()
            full_s = time.perf_counter() - started
            (result,) = full.gitlab
            assert result.merge_requests == mrs, result.merge_requests
            full_requests = len(fake.requests) - requests
            requests = len(fake.requests)
            started = time.perf_counter()
            again = sync(cfg, None, False, Progress(None))
            repeat_s = time.perf_counter() - started
            (same,) = again.gitlab
            repeat_requests = len(fake.requests) - requests
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
            # a full re-read of an unchanged GitLab finds nothing gone
            assert ", 0 removed, " in cli_full.stderr, cli_full.stderr
            size = cfg.database.stat().st_size / 1e6
            print(
                f"full: {mrs:,} merge requests in {full_s:.1f} s = {mrs / full_s:,.0f} MRs/s "
                f"({result.deployments:,} production deployments, {result.incidents} incidents, "
                f"{full_requests:,} requests, {size:.0f} MB warehouse)\n"
                f"repeat, nothing changed: {repeat_s:.2f} s ({same.merge_requests} MRs re-read in "
                f"the overlap, {same.landed} landed, {repeat_requests} requests); "
                f"{cli_s:.2f} s as `python -m koers sync`\n"
                f"peak memory: {peak:.0f} MiB (`python -m koers sync --full` in a process of its "
                f"own, {full_cli_s:.1f} s, nothing removed)"
            )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                print(out.getvalue())
    finally:
        fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge-requests", type=int, default=5_000)
    parser.add_argument("--deployments", type=int, default=2_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    data = generate(args.merge_requests, args.deployments)
    mrs, deployments = data["merge_requests"], data["deployments"]
    production = [d for d in deployments if d["environment"] == PRODUCTION]
    approved = sum(
        any(n["system"] and n["author"]["id"] != mr["author"]["id"] for n in mr["notes"])
        for mr in mrs
    )
    print(
        f"{len(mrs):,} merged merge requests, {sum(len(m['commits']) for m in mrs) / len(mrs):.1f} "
        f"commits and {sum(len(m['notes']) for m in mrs) / len(mrs):.1f} notes each on average, "
        f"{approved / len(mrs):.0%} approved by someone else; {len(deployments):,} deployments "
        f"({len(production):,} to production, "
        f"{sum(len(d['merge_request_iids']) for d in deployments) / len(deployments):.1f} MRs "
        f"each on average); {len(data['issues'])} incidents "
        f"(generated in {time.perf_counter() - started:.1f} s, not timed)"
    )
    run(data, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
