"""How long each dashboard page's script takes, at the demo size and at 100,000 items.

    python bench/pages.py [--items N] [--runs R]

For each data set it runs every page once cold (empty caches: the first visit after a start or
a sync) and then R times warm (a new session with the caches filled, as when someone switches
team, period or page), through Streamlit's AppTest, and prints the seconds of each. Targets:
warm under 1 s per page at the demo size and under 3 s at 100,000 items.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from streamlit.testing.v1 import AppTest  # noqa: E402

import config  # noqa: E402
from bench import flow as synthetic  # noqa: E402
from demo import build as build_demo  # noqa: E402
from store.normalize import normalize  # noqa: E402
from ui.app import PAGES  # noqa: E402

TARGETS = {"demo": 1.0, "large": 3.0}  # seconds per page, warm


def demo_config(folder: Path) -> Path:
    path = folder / "demo.toml"
    path.write_text(
        config.DEMO_CONFIG.read_text(encoding="utf-8").replace(
            'database = "data/demo.duckdb"', f'database = "{folder / "demo.duckdb"}"'
        ),
        encoding="utf-8",
    )
    build_demo(config.load(path))
    return path


def large_config(folder: Path, items: int) -> Path:
    """A warehouse of `items` synthetic issues (bench/flow.py's generator), normalized."""
    from store.warehouse import connect_write

    database = folder / "large.duckdb"
    synthetic.build(database, items, 8)
    con = connect_write(database)
    normalize(con)
    con.execute("CHECKPOINT")
    con.close()
    path = folder / "large.toml"
    path.write_text(
        f"""[koers]
database = "{database}"
as_of = {synthetic.AS_OF.isoformat()}

[sources.{synthetic.SOURCE}]
type = "jira"
url = "{synthetic.BASE_URL}"

[teams.{synthetic.TEAM}]
name = "Bench"
pilot_start = 2026-03-02
jira = {{ source = "{synthetic.SOURCE}", jql = "project = BENCH" }}

[teams.{synthetic.TEAM}.workflow]
waiting = ["Ready for test"]
""",
        encoding="utf-8",
    )
    return path


def run_page(script: str, team: str) -> float:
    at = AppTest.from_file(str(REPO / script), default_timeout=300)
    at.query_params["team"] = team
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{script} raised: {at.exception[0].message}")
    return seconds


def measure(name: str, config_path: Path, team: str, runs: int) -> bool:
    os.environ["KOERS_CONFIG"] = str(config_path)
    print(f"\n{name}: {config_path.name}, team {team}")
    print(f"{'page':<14}{'cold':>8}{'warm (best of ' + str(runs) + ')':>20}")
    ok = True
    for script, page, _icon, _url in PAGES:
        cold = run_page(script, team)
        warm = min(run_page(script, team) for _ in range(runs))
        ok &= warm < TARGETS[name]
        print(f"{page:<14}{cold:8.2f}{warm:20.2f}")
    verdict = "PASS" if ok else "MISS"
    print(f"  {verdict}  every page warm under {TARGETS[name]:g} s")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="large data set (100000)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per page (3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="koers-pages-") as tmp:
        folder = Path(tmp)
        ok = measure("demo", demo_config(folder), "vergunningen", args.runs)
        started = time.perf_counter()
        large = large_config(folder, args.items)
        print(f"\n(built {args.items} synthetic items in {time.perf_counter() - started:.0f} s)")
        ok &= measure("large", large, synthetic.TEAM, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
