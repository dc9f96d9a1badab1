"""Deterministic demo GitLab payloads for both demo teams, shaped as GitLab REST v4 serves them
(the fake GitLab's entity builders) and landed through the `store.raw` GitLab writers.

* `vergunningen` (project `gemeente/vergunningen`, the pilot): one production release a month
  before the pilot start, then several production deployments a week, with short reviews (an
  approval or a comment by a colleague within hours). Its production environment is `live`,
  found by its tier; `staging` gets a deployment before every production one.
* `subsidies` (project `provincie/subsidies`): a release each quarter, so merged changes wait
  weeks to months for it. Its production environment `prod` has no known tier (METRICS.md §3
  rule c); `acceptatie` (tier staging) gets a monthly deployment.
* A handful of incidents for each team, created hours after a production deployment and closed
  hours to days later.

The payloads name fictional people (authors, reviewers, committers, deployers) exactly where
GitLab does; `FICTIONAL_GITLAB_PEOPLE` lists them so the privacy test can check that none of them
reaches the warehouse.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb

from demo.gitlab_payloads import (
    commit,
    deployment,
    environment,
    incident,
    merge_request,
    note,
    user,
)
from store.raw import (
    write_gitlab_deployment_mrs,
    write_gitlab_deployments,
    write_gitlab_environments,
    write_gitlab_issues,
    write_gitlab_merge_requests,
    write_gitlab_mr_commits,
    write_gitlab_mr_notes,
    write_gitlab_projects,
)

TZ = ZoneInfo("Europe/Amsterdam")
WEB = "https://gitlab.voorbeeld-overheid.nl"
START = date(2025, 6, 2)  # a Monday: the demo's GitLab history starts here


@dataclass(frozen=True)
class GitlabPerson:
    user_id: int
    username: str
    name: str
    email: str

    @property
    def user(self) -> dict:
        return user(self.user_id, self.username, self.name)


FICTIONAL_GITLAB_PEOPLE = (
    GitlabPerson(501, "femke.bakker", "Femke Bakker", "femke.bakker@gemeente-voorbeeld.nl"),
    GitlabPerson(502, "yusuf.ozdemir", "Yusuf Özdemir", "yusuf.ozdemir@gemeente-voorbeeld.nl"),
    GitlabPerson(503, "lotte.visser", "Lotte Visser", "lotte.visser@gemeente-voorbeeld.nl"),
    GitlabPerson(504, "ravi.ramdin", "Ravi Ramdin", "ravi.ramdin@gemeente-voorbeeld.nl"),
    GitlabPerson(511, "joost.mulder", "Joost Mulder", "joost.mulder@provincie-voorbeeld.nl"),
    GitlabPerson(512, "noor.elamrani", "Noor El Amrani", "noor.elamrani@provincie-voorbeeld.nl"),
    GitlabPerson(513, "wessel.dekker", "Wessel Dekker", "wessel.dekker@provincie-voorbeeld.nl"),
)


@dataclass
class GitlabPayloads:
    """One project's payloads, as the sync would receive them."""

    project: dict
    environments: list[dict]
    merge_requests: list[dict] = field(default_factory=list)  # with server-side commits/notes
    deployments: list[tuple[dict, list[int]]] = field(default_factory=list)  # and shipped iids
    incidents: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class _Team:
    project_id: int
    path: str
    people: tuple[GitlabPerson, ...]
    seed: int
    production: str
    staging: str
    environments: tuple[tuple[int, str, str], ...]  # (id, name, tier) as the Environments API
    mrs_per_week: int
    coding_hours: tuple[float, float]
    first_id: int  # deployments, notes and incidents are numbered from here


def _local(day: date, hour: float) -> datetime:
    moment = datetime.combine(day, time(0), TZ) + timedelta(hours=hour)
    return moment.astimezone(UTC)


def _weekdays(start: date, end: date) -> list[date]:
    days = (end - start).days
    return [start + timedelta(d) for d in range(days) if (start + timedelta(d)).weekday() < 5]


def _monthly(start: date, end: date) -> list[date]:
    """The second Thursday of each month."""
    out = []
    month = date(start.year, start.month, 1)
    while month < end:
        first_thursday = month + timedelta((3 - month.weekday()) % 7)
        out.append(first_thursday + timedelta(7))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return [d for d in out if start <= d < end]


def _release_days(team: str, end: date, pilot_start: date, rng: random.Random) -> list[date]:
    if team == "subsidies":
        quarterly = [date(2025, 7, 17), date(2025, 10, 16), date(2026, 1, 15), date(2026, 4, 16)]
        quarterly += [date(2026, 7, 16), date(2026, 10, 15)]
        return [d for d in quarterly if d < end]
    before = _monthly(START, pilot_start)
    # since the pilot: three or four production deployments a week, on different weekdays
    after = []
    monday = pilot_start - timedelta(pilot_start.weekday())
    while monday < end:
        days = sorted(rng.sample(range(5), rng.choice((3, 3, 4, 4, 5))))
        after += [monday + timedelta(d) for d in days]
        monday += timedelta(7)
    return before + [d for d in after if pilot_start <= d < end]


TEAMS = {
    "vergunningen": _Team(
        project_id=101,
        path="gemeente/vergunningen",
        people=FICTIONAL_GITLAB_PEOPLE[:4],
        seed=5101,
        production="live",
        staging="staging",
        environments=((11, "live", "production"), (12, "staging", "staging")),
        mrs_per_week=7,
        coding_hours=(4, 60),
        first_id=100_000,
    ),
    "subsidies": _Team(
        project_id=202,
        path="provincie/subsidies",
        people=FICTIONAL_GITLAB_PEOPLE[4:],
        seed=5202,
        production="prod",  # not in the environment list: no known tier, found by its name
        staging="acceptatie",
        environments=((21, "acceptatie", "staging"),),
        mrs_per_week=4,
        coding_hours=(12, 120),
        first_id=200_000,
    ),
}


def generate(team_key: str, end: datetime, pilot_start: date | None) -> GitlabPayloads:
    """The demo GitLab payloads of one team up to `end` (deterministic for the same arguments)."""
    spec = TEAMS[team_key]
    rng = random.Random(spec.seed)
    last_day = end.astimezone(TZ).date()
    pilot = pilot_start or date.max
    project = {
        "id": spec.project_id,
        "name": spec.path.split("/")[-1].capitalize(),
        "path": spec.path.split("/")[-1],
        "path_with_namespace": spec.path,
        "namespace": {"full_path": spec.path.split("/")[0]},
        "archived": False,
        "web_url": f"{WEB}/{spec.path}",
    }
    out = GitlabPayloads(
        project=project,
        environments=[
            environment(env_id, spec.project_id, name, tier)
            for env_id, name, tier in spec.environments
        ],
    )
    next_id = iter(range(spec.first_id, spec.first_id + 1_000_000))

    # merge requests: merged on weekdays, a few a week
    merged: list[tuple[datetime, int]] = []
    iid = 0
    for day in _weekdays(START, last_day):
        if rng.random() >= spec.mrs_per_week / 5:
            continue
        for _ in range(1 + (rng.random() < 0.25)):
            iid += 1
            piloting = day >= pilot
            author, reviewer = rng.sample(spec.people, 2)
            merged_at = _local(day, rng.uniform(9.5, 16.5))
            if piloting:
                review_hours = rng.uniform(0.5, 4)  # short reviews within hours
                pickup_hours = rng.uniform(0.3, 3)
                coding = rng.uniform(2, 30)
            else:
                review_hours = rng.uniform(3, 30)
                pickup_hours = rng.uniform(8, 70)
                coding = rng.uniform(*spec.coding_hours)
            first_review = merged_at - timedelta(hours=review_hours)
            created = first_review - timedelta(hours=pickup_hours)
            first_commit = created - timedelta(hours=coding)
            commits = [
                commit(
                    f"{spec.project_id}-{iid}-{n}",
                    first_commit + timedelta(hours=coding * n / 3),
                    title=f"Werk aan wijziging {iid}",
                    author_name=author.name,
                    author_email=author.email,
                    path=spec.path,
                )
                for n in range(rng.randint(1, 3))
            ][::-1]  # GitLab lists the newest first
            notes = [
                note(
                    next(next_id),
                    author.user,
                    created + timedelta(minutes=20),
                    f"@{reviewer.username} wil je meekijken?",
                    noteable_iid=iid,
                ),
                note(
                    next(next_id),
                    author.user,
                    created + timedelta(minutes=21),
                    f"requested review from @{reviewer.username}",
                    system=True,
                    noteable_iid=iid,
                ),
            ]
            if rng.random() < 0.5:
                notes.append(
                    note(
                        next(next_id),
                        reviewer.user,
                        first_review,
                        "approved this merge request",
                        system=True,
                        noteable_iid=iid,
                    )
                )
            elif piloting or rng.random() < 0.8:
                notes.append(
                    note(
                        next(next_id),
                        reviewer.user,
                        first_review,
                        f"Ziet er goed uit, {author.name}",
                        noteable_iid=iid,
                    )
                )
            out.merge_requests.append(
                merge_request(
                    spec.project_id,
                    iid,
                    created=created,
                    merged=merged_at,
                    author=author.user,
                    merger=reviewer.user,
                    path=spec.path,
                    squash=rng.random() < 0.5,
                    fast_forward=rng.random() < 0.3,
                    commits=commits,
                    notes=notes,
                    title=f"Wijziging {iid}",
                )
            )
            merged.append((merged_at, iid))

    # deployments: staging an hour before each production release; a production deployment
    # ships every MR merged since the previous one
    deployer = spec.people[0].user
    shipped_until = datetime.min.replace(tzinfo=UTC)
    staging_days = _monthly(START, last_day) if team_key == "subsidies" else []
    releases = _release_days(team_key, last_day, pilot, rng)
    for day in sorted(set(releases) | set(staging_days)):
        at = _local(day, rng.uniform(13, 16))
        ships = [i for m, i in merged if shipped_until <= m < at - timedelta(hours=2)]
        staging = deployment(
            next(next_id), spec.project_id, spec.staging, at - timedelta(hours=1), path=spec.path
        )
        staging["user"] = deployer
        out.deployments.append((staging, ships))
        if day not in releases:
            continue
        status = "failed" if rng.random() < 0.05 else "success"
        prod = deployment(next(next_id), spec.project_id, spec.production, at, path=spec.path)
        if status == "failed":  # a failed attempt, retried successfully half an hour later
            failed = deployment(
                next(next_id), spec.project_id, spec.production, at, status="failed", path=spec.path
            )
            out.deployments.append((failed, []))
            at += timedelta(minutes=30)
            prod = deployment(next(next_id), spec.project_id, spec.production, at, path=spec.path)
        prod["user"] = deployer
        out.deployments.append((prod, ships))
        shipped_until = at - timedelta(hours=2)

    # incidents: a handful, hours after a production deployment, closed hours to days later
    productions = [d for d, _ in out.deployments if d["environment"] == spec.production]
    productions = [d for d in productions if d["status"] == "success"]
    pilot_text = _local(pilot, 0).strftime("%Y-%m-%dT%H:%M:%S") if pilot_start else "9999"
    before = [i for i, d in enumerate(productions) if d["finished_at"][:19] < pilot_text]
    after = [i for i, d in enumerate(productions) if d["finished_at"][:19] >= pilot_text]
    if after:  # two before the pilot, three since
        picks = sorted(rng.sample(before, min(2, len(before))) + rng.sample(after, 3))
    else:
        picks = sorted(rng.sample(before, min(4, len(before))))
    for n, index in enumerate(picks, start=1):
        finished = datetime.fromisoformat(productions[index]["finished_at"].replace("Z", "+00:00"))
        created = finished + timedelta(hours=rng.uniform(1, 20))
        restore = timedelta(hours=rng.choice((2, 5, 9, 26, 50)) * (1 if pilot_start else 2))
        closed = created + restore
        reported = incident(
            next(next_id),
            spec.project_id,
            n,
            created,
            closed if closed < end else None,
            path=spec.path,
        )
        reported["author"] = spec.people[n % len(spec.people)].user
        reported["title"] = f"Storing {n}"
        out.incidents.append(reported)
    return out


def _public(mr: dict) -> dict:
    return {k: v for k, v in mr.items() if k not in ("commits", "notes")}


def _served(d: dict, environments: list[dict]) -> dict:
    """A deployment as `GET /projects/:id/deployments` serves it (environment as an object)."""
    env = next((e for e in environments if e["name"] == d["environment"]), None)
    if env is None:  # no longer in the environment list: no known tier
        env = {"id": 29, "name": d["environment"], "slug": d["environment"], "external_url": None}
    else:
        env = {k: env[k] for k in ("id", "name", "slug", "external_url", "created_at")}
    skip = ("project_id", "merge_request_iids", "finished_at", "environment")
    return {**{k: v for k, v in d.items() if k not in skip}, "environment": env}


def write(con: duckdb.DuckDBPyConnection, source: str, fetched_at: datetime, p: GitlabPayloads):
    """Land one project's payloads the way the GitLab sync does."""
    project_id = p.project["id"]
    write_gitlab_projects(con, source, fetched_at, [p.project])
    write_gitlab_environments(con, source, project_id, fetched_at, p.environments)
    write_gitlab_merge_requests(
        con, source, project_id, fetched_at, [_public(m) for m in p.merge_requests]
    )
    for mr in p.merge_requests:
        write_gitlab_mr_commits(con, source, fetched_at, mr, mr["commits"])
        write_gitlab_mr_notes(con, source, fetched_at, mr, mr["notes"])
    write_gitlab_deployments(
        con, source, project_id, fetched_at, [_served(d, p.environments) for d, _ in p.deployments]
    )
    by_iid = {m["iid"]: _public(m) for m in p.merge_requests}
    for d, iids in p.deployments:
        shipped = [by_iid[i] for i in iids]
        write_gitlab_deployment_mrs(con, source, project_id, d["id"], fetched_at, shipped)
    write_gitlab_issues(con, source, project_id, fetched_at, p.incidents)
