"""Contract scenarios: vendor-documented request/expectation steps, replayed against the
in-process app or any base URL (the real vendor included). The format is in FORMAT.md here."""

from .matchers import MISSING, Matcher, Mismatch, compare
from .runner import ScenarioResult, StepResult, format_result, replay
from .scenario import Scenario, ScenarioError, Step, load_file, load_text, scenario_files

__all__ = [
    "MISSING",
    "Matcher",
    "Mismatch",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "Step",
    "StepResult",
    "compare",
    "format_result",
    "load_file",
    "load_text",
    "replay",
    "scenario_files",
]
