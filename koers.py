"""The Koers command line: `python -m koers COMMAND [--config PATH] …` (ARCHITECTURE.md, "CLI").

Thin on purpose: it parses arguments, opens the warehouse and prints what `metrics/` returns.
Exit codes: 0 success, 1 a failure explained in one line on stderr, 2 a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import pandas as pd

import config
import demo
from errors import KoersError
from metrics.flow import Period, TeamFlow
from store.ready import ensure_ready
from store.warehouse import connect_read

ITEM_COLUMNS = (
    "key",
    "title",
    "created_at",
    "started_at",
    "done_at",
    "type",
    "status",
    "stage",
    "lead_time_days",
    "cycle_time_days",
    "age_days",
    "discarded",
    "in_flow",
)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except KoersError as exc:
        print(f"koers: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `… | head` is not an error
        return 0
    return 0


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        help="the koers TOML file (default: ./koers.toml, $KOERS_CONFIG, else the built-in demo)",
    )
    parser = argparse.ArgumentParser(prog="python -m koers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    p = commands.add_parser("demo", parents=[common], help="build the demo warehouse")
    p.add_argument("--db", help="where to write it (default: the config's database)")
    p.set_defaults(run=cmd_demo)

    p = commands.add_parser("report", parents=[common], help="a team's metrics for a period")
    p.add_argument("--team", required=True)
    p.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, help="day after the last, YYYY-MM-DD")
    p.add_argument("--as-of", type=_moment, help="ISO 8601 time with offset, or a date")
    p.add_argument("--format", choices=["json"], default="json")
    p.set_defaults(run=cmd_report)

    p = commands.add_parser("items", parents=[common], help="per-item facts of a team")
    p.add_argument("--team", required=True)
    p.add_argument("--as-of", type=_moment, help="ISO 8601 time with offset, or a date")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.set_defaults(run=cmd_items)

    p = commands.add_parser(
        "sync", parents=[common], help="bring the teams' Jira issues into the warehouse"
    )
    p.add_argument("--team", help="only this team's query (default: every team)")
    p.add_argument(
        "--full", action="store_true", help="re-read everything and drop issues no longer found"
    )
    p.set_defaults(run=cmd_sync)

    p = commands.add_parser(
        "import-measurements",
        parents=[common],
        help="add an outcome indicator's measurements from a CSV file",
    )
    p.add_argument("file", metavar="FILE", help="CSV with date and value columns, note optional")
    p.add_argument("--indicator", required=True, help="the indicator's key")
    p.add_argument("--team", help="the team (default: the only team, else the pilot team)")
    p.set_defaults(run=cmd_import_measurements)

    p = commands.add_parser(
        "publish", parents=[common], help="the public wins report: HTML, PNG cards, weeknote"
    )
    p.add_argument("--team", required=True)
    p.add_argument("--out", required=True, help="the report folder (replaced when it is one)")
    p.add_argument("--lang", choices=["nl", "en"], help="default: the config's language")
    p.add_argument("--as-of", type=_moment, help="ISO 8601 time with offset, or a date")
    p.set_defaults(run=cmd_publish)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-03-02, got '{text}'") from None


def _moment(text: str) -> datetime | date:
    """A timestamp with offset, or a date (resolved later in the team's time zone)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 time with an offset (2026-11-27T17:00:00+01:00) or a date, "
            f"got '{text}'"
        )
    return moment


def _progress(message: str) -> None:
    print(f"koers: {message}…", file=sys.stderr, flush=True)


def _open(args: argparse.Namespace) -> tuple[config.Config, Any]:
    cfg = config.load(args.config)
    started = time.monotonic()
    path = ensure_ready(cfg, progress=_progress)
    if time.monotonic() - started > 1:
        _progress(f"warehouse ready in {time.monotonic() - started:.1f} s")
    return cfg, connect_read(path)


def _as_of(cfg: config.Config, value: datetime | date | None) -> datetime:
    if value is None:
        return cfg.now()
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time(), ZoneInfo(cfg.timezone))


def cmd_demo(args: argparse.Namespace) -> None:
    cfg = config.load(args.config)
    if not cfg.demo:
        raise KoersError(
            f"{cfg.path}: not a demo config ([koers] demo = true); refusing to "
            "overwrite a synced warehouse with demo data"
        )
    started = time.monotonic()
    path = demo.build(cfg, path=Path(args.db) if args.db else None, progress=_progress)
    print(
        f"koers: demo warehouse written to {path} in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )


def cmd_sync(args: argparse.Namespace) -> None:
    from connectors.sync import Progress, sync  # requests is only needed here

    cfg = config.load(args.config)
    try:
        summary = sync(cfg, args.team, args.full, Progress(sys.stderr, cfg.language))
    except KeyboardInterrupt:
        raise KoersError("sync interrupted; the warehouse was left as it was") from None
    print(f"koers: {summary.line(cfg.language)}", file=sys.stderr)
    if summary.failures:  # the rest landed; exit 1 naming the indicators whose URL failed
        raise KoersError(summary.failure_text())


def cmd_import_measurements(args: argparse.Namespace) -> None:
    from connectors.files import import_measurements

    cfg = config.load(args.config)
    team, why = _default_team(cfg, args.team)
    result = import_measurements(cfg.data_dir, team.key, args.indicator, Path(args.file))
    print(f"koers: {result.line(why)}", file=sys.stderr)


def _default_team(cfg: config.Config, key: str | None) -> tuple[config.Team, str]:
    """`--team`, else the only team, else the one pilot team; with why it was chosen."""
    if key:
        return cfg.team(key), ""
    if len(cfg.teams) == 1:
        return next(iter(cfg.teams.values())), "the only team"
    pilots = [team for team in cfg.teams.values() if team.pilot_start]
    if len(pilots) == 1:
        return pilots[0], "the pilot team; use --team for another"
    raise KoersError(f"which team? use --team ({', '.join(sorted(cfg.teams))})")


def cmd_report(args: argparse.Namespace) -> None:
    cfg, con = _open(args)
    team = cfg.team(args.team)
    as_of = _as_of(cfg, args.as_of)
    period = _period(args, as_of, cfg.timezone)
    from metrics.wins import detect  # METRICS.md §5; scipy is only needed here

    flow = TeamFlow(con, team, cfg.timezone, as_of)
    report = {
        "team": team.key,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "as_of": _utc(as_of),
        "flow": flow.report(period),
        "dora": _dora(cfg, con, flow, period),
        "outcomes": _outcomes(cfg, team.key, as_of),
        # the last 8 weeks against the baseline, whatever --from/--to say (METRICS.md §5)
        "wins": [win.as_dict() for win in detect(con, cfg, team.key, as_of, flow=flow)],
    }
    _write_json(report, sys.stdout)


def cmd_publish(args: argparse.Namespace) -> None:
    import publish  # vl-convert and the charts are only needed here

    out = Path(args.out)
    publish.check_out_dir(out)  # before the slow part
    cfg, con = _open(args)
    team = cfg.team(args.team)
    files = publish.render(
        con, cfg, team.key, _as_of(cfg, args.as_of), args.lang or cfg.language, progress=_progress
    )
    publish.write(out, files)
    cards = sum(name.startswith("cards/") for name in files)
    print(f"koers: report of {team.name} written to {out} ({cards} card(s))", file=sys.stderr)


def _dora(cfg: config.Config, con: Any, flow: TeamFlow, period: Period) -> dict[str, Any] | None:
    """METRICS.md section 3 for a team with GitLab configured; None for a team without."""
    from metrics.delivery import team_delivery

    delivery = team_delivery(con, cfg, flow.team, flow.as_of, flow=flow)
    return None if delivery is None else delivery.report(period)


def _outcomes(cfg: config.Config, team: str, as_of: datetime) -> list[dict[str, Any]]:
    """METRICS.md section 4 per indicator of the team, at `as_of`'s day in the team's zone."""
    from metrics.outcomes import outcome_facts
    from outcomes.store import load_indicators, load_measurements

    day = as_of.astimezone(ZoneInfo(cfg.timezone)).date()
    return [
        outcome_facts(ind, load_measurements(cfg.data_dir, team, key), day).as_dict()
        for key, ind in load_indicators(cfg.data_dir, team).items()
    ]


def _period(args: argparse.Namespace, as_of: datetime, tz: str) -> Period:
    default = Period.default(as_of, tz)
    period = Period(args.start or default.start, args.end or default.end)
    if period.end <= period.start:
        raise KoersError(f"--to ({period.end}) must be after --from ({period.start})")
    return period


def cmd_items(args: argparse.Namespace) -> None:
    cfg, con = _open(args)
    team = cfg.team(args.team)
    items = TeamFlow(con, team, cfg.timezone, _as_of(cfg, args.as_of)).items()
    items = items.rename(columns={"summary": "title"})
    if args.format == "csv":
        _write_csv(items, sys.stdout)
    else:
        rows = [
            {column: _plain(row[column]) for column in ITEM_COLUMNS}
            for row in items.to_dict("records")
        ]
        _write_json(rows, sys.stdout)


def _write_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def _write_csv(items: pd.DataFrame, out: TextIO) -> None:
    # ID, name and the stage dates first, in workflow order: the layout ActionableAgile imports.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ITEM_COLUMNS)
    convert: Callable[[Any], Any] = lambda v: "" if _plain(v) is None else _plain(v)  # noqa: E731
    writer.writerows([convert(row[c]) for c in ITEM_COLUMNS] for row in items.to_dict("records"))


def _plain(value: Any) -> Any:
    """JSON-ready: timestamps as ISO 8601 UTC, missing values as None, numpy scalars unwrapped."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


if __name__ == "__main__":
    sys.exit(main())
