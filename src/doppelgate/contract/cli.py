"""`doppelgate contract run dialects/<name> [--base-url URL] [--var key=value ...]`: replay a
dialect's contract scenarios against any target (the real vendor, a `doppelgate serve`, or, with
no --base-url, an in-process emulator) and print a per-operation parity report.

Exit status: 0 when every step matched, 1 when one did not, 2 when nothing could be replayed
(a bad path, a scenario file that does not load, httpx missing).
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .runner import ScenarioResult, StepResult, format_result, replay
from .scenario import Scenario, ScenarioError, load_file

if TYPE_CHECKING:
    import httpx


OK, MISMATCH, UNUSABLE = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `contract run` on the main CLI's sub-commands."""
    contract = commands.add_parser(
        "contract",
        help="replay contract scenarios against a target",
        description="Contract scenarios (dialects/<name>/contract/*.yaml).",
    )
    actions = contract.add_subparsers(dest="contract_command", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run",
        help="replay a dialect's scenarios and print a per-operation parity report",
        description="Replay a dialect's contract scenarios against --base-url (the real vendor "
        "included) or, without it, an in-process emulator. Exit 1 on any mismatch.",
    )
    run.add_argument(
        "source", help="dialects/<name>, its contract/ folder, one .yaml file, or a dialect name"
    )
    run.add_argument("--base-url", help="the dialect's base URL, e.g. https://ds.us1.gigya.com")
    run.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario variable, e.g. credentials (repeatable): --var apiKey=3_abc",
    )
    run.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="GLOB",
        help="only scenarios whose id (file/name) matches (repeatable)",
    )
    run.add_argument("--timeout", type=float, default=30.0, help="seconds per request (30)")
    run.add_argument(
        "--stop-on-failure", action="store_true", help="end a scenario at its first failing step"
    )
    run.add_argument(
        "--strict", action="store_true", help="count known_failure scenarios' failures too"
    )
    run.add_argument("-v", "--verbose", action="store_true", help="print every scenario's steps")


def main(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        dialect, files = resolve_source(args.source)
        variables = parse_vars(args.var)
        scenarios = [s for f in files for s in load_file(f) if _selected(s, args.scenario)]
    except (ScenarioError, ValueError) as exc:
        print(f"doppelgate contract: error: {exc}", file=err)
        return UNUSABLE
    if not scenarios:
        print("doppelgate contract: error: no scenarios selected", file=err)
        return UNUSABLE
    try:
        import httpx  # noqa: F401 - the test extra
    except ImportError:
        print("doppelgate contract: error: needs httpx: pip install 'doppelgate[test]'", file=err)
        return UNUSABLE
    skipped = [(s, why) for s in scenarios if (why := skip_reason(s, args)) is not None]
    runnable = [s for s in scenarios if skip_reason(s, args) is None]
    results = asyncio.run(run_all(runnable, dialect, args, variables))
    for scenario, why in skipped:
        print(f"skipped {scenario.id}: {why}", file=out)
    return report(results, operation_namer(dialect), args, out, skipped=len(skipped))


def skip_reason(scenario: Scenario, args: argparse.Namespace) -> str | None:
    """Why a scenario cannot run against this target: emulator settings (strict credentials,
    limits) apply only to an in-process emulator, never to a server at --base-url."""
    settings = scenario.emulator.get("settings")
    if args.base_url and settings:
        names = ", ".join(sorted(_setting_names(settings)))
        return f"needs emulator settings ({names}); run it without --base-url"
    return None


def _setting_names(settings: dict[str, Any], prefix: str = "") -> list[str]:
    names = []
    for key, value in settings.items():
        if key == "dialects" and isinstance(value, dict):
            names += [f"[dialects.{d}]" for d in value]
        else:
            names.append(prefix + key)
    return names


# -- what to run -----------------------------------------------------------------------------


def resolve_source(source: str) -> tuple[str, list[Path]]:
    """(dialect name, scenario files) from a path or a bare dialect name."""
    path = Path(source)
    if not path.exists() and "/" not in source:
        from .. import dialects

        found = [Path(p) / source for p in dialects.__path__ if (Path(p) / source).is_dir()]
        if not found:
            raise ValueError(f"{source}: no such path or dialect")
        path = found[0]
    if path.is_file():
        folder = path.parent
        files = [path]
    else:
        folder = path / "contract" if (path / "contract").is_dir() else path
        files = sorted(folder.glob("*.yaml"))
        if not path.is_dir():
            raise ValueError(f"{source}: no such file or folder")
    name = folder.parent.name if folder.name == "contract" else folder.name
    if not files:
        raise ValueError(f"{folder}: no *.yaml scenario files")
    return name, files


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    variables = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--var takes KEY=VALUE, not {pair!r}")
        variables[key] = value
    return variables


def _selected(scenario: Scenario, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(scenario.id, g) for g in globs)


# -- replaying -------------------------------------------------------------------------------


async def run_all(
    scenarios: Sequence[Scenario],
    dialect: str,
    args: argparse.Namespace,
    variables: dict[str, str],
) -> list[ScenarioResult]:
    import httpx

    results = []
    if args.base_url:
        async with httpx.AsyncClient(base_url=args.base_url, timeout=args.timeout) as client:
            for s in scenarios:
                results.append(
                    await replay(s, client, variables, stop_on_failure=args.stop_on_failure)
                )
        return results
    for s in scenarios:
        async with _in_process(s, dialect, args.timeout) as client:
            results.append(await replay(s, client, variables, stop_on_failure=args.stop_on_failure))
    return results


class _in_process:
    """A fresh in-process emulator of one dialect for one scenario (its `emulator:` block)."""

    def __init__(self, scenario: Scenario, dialect: str, timeout: float) -> None:
        self.scenario = scenario
        self.dialect = dialect
        self.timeout = timeout

    async def __aenter__(self) -> httpx.AsyncClient:
        import msgspec

        from ..config import Settings
        from ..dialect import load_dialects
        from ..testing.emulator import Emulator

        settings = msgspec.convert(self.scenario.emulator.get("settings", {}), Settings)
        self.emulator = Emulator(settings, dialects=load_dialects([self.dialect]))
        await self.emulator.__aenter__()
        base = self.scenario.emulator.get("base_url") or self.emulator.url(self.dialect)
        self.client = self.emulator.client(base_url=base, timeout=self.timeout)
        return self.client

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.aclose()
        await self.emulator.__aexit__(*exc)


# -- the report ------------------------------------------------------------------------------


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    known: int = 0  # failures in known_failure scenarios (not counted unless --strict)


def operation_namer(dialect: str) -> Callable[[str, str], str]:
    """The control plane's operation names (journal, faults) for this dialect's paths."""
    from ..config import Settings
    from ..control.operations import operation_namer as namer
    from ..dialect import DialectContext, load_dialects
    from ..engine import create_engine

    try:
        (d,) = load_dialects([dialect])
    except ImportError:
        return lambda method, path: f"{method} {path}"
    settings = Settings()
    routes = d.routes(DialectContext(engine=create_engine(settings), settings=settings))
    return namer(d, routes)


def step_operation(step: StepResult, scenario: Scenario, name: Callable[[str, str], str]) -> str:
    request = scenario.steps[step.index].request
    path = "/" + request.path.split("?")[0].lstrip("/")
    path = re.sub(r"\$\{(\w+)\}", r"{\1}", path)  # ${userId} -> {userId}
    return name(request.method.upper(), path)


def report(
    results: Sequence[ScenarioResult],
    name: Callable[[str, str], str],
    args: argparse.Namespace,
    out: TextIO,
    *,
    skipped: int = 0,
) -> int:
    table: dict[str, Tally] = {}
    failed_scenarios = 0
    for result in results:
        counted = args.strict or result.scenario.known_failure is None
        if not result.passed and counted:
            failed_scenarios += 1
        if args.verbose or (not result.passed and counted):
            print(format_result(result), file=out)
        for step in result.steps:
            tally = table.setdefault(step_operation(step, result.scenario, name), Tally())
            if step.passed:
                tally.passed += 1
            elif counted:
                tally.failed += 1
            else:
                tally.known += 1
    width = max([len("operation"), *(len(op) for op in table)])
    print(f"\n{'operation':<{width}}  passed  failed  known", file=out)
    for op in sorted(table):
        t = table[op]
        print(f"{op:<{width}}  {t.passed:>6}  {t.failed:>6}  {t.known:>5}", file=out)
    total = len(results)
    verdict = "parity" if not failed_scenarios else "MISMATCH"
    also = f", {skipped} skipped (they need an in-process emulator)" if skipped else ""
    print(f"\n{verdict}: {total - failed_scenarios}/{total} scenarios passed{also}", file=out)
    return OK if not failed_scenarios else MISMATCH
