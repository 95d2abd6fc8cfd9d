"""API fuzzing: schemathesis over the whole /api/v1/openapi.json, as four roles, against gunicorn.

Each role (conftest.ROLES: anonymous, a customer, an instrument manager, a platform admin) runs the
schemathesis command line — the schema's examples and EXAMPLES random cases per operation, with a fixed
seed (the coverage phase on demand, see PHASES) — against one server with the small demo loaded. The
roles run side by side. Checks: no 5xx, every response conforms to the schema. A failure found once
becomes a regular test in test_fuzz_regressions.py.

KNOWN lists the failures the issue names that other branches are fixing: they are reported, not failed
on; the integrator empties it after merging those branches.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.reliability.conftest import heavy

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
EXAMPLES = 6  # random cases per operation and role
SEED = 11
SECONDS = 420  # a guard against a hang: the runs are stopped (and the test fails) past this

# The kinds of failure that other work was fixing while this suite was written: (what, test, branch), reported
# rather than failed on. Empty since those fixes landed (each has a regular test in test_fuzz_regressions.py);
# a future known failure goes here only with the branch that fixes it.
KNOWN: list[tuple[str, Callable[[dict[str, str]], bool], str]] = []

# Signed-in roles leave out revoking tokens: a random id may be their own token, ending the run early.
SIGNED_IN_EXCLUDED = ["--exclude-path", "/api/v1/auth/tokens/{token_id}"]


# No sign-up of its own (schemathesis would try to register a user when it is given no token).
CONFIG = """
[auth]
auto-signup = false
"""
# The schema's examples and EXAMPLES random cases per operation, for every role. The coverage phase
# (boundaries, missing and wrong values, other methods: some 5,000 more requests a role, minutes on CI's two
# cores) runs only on demand: DAYI_FUZZ_COVERAGE=1. DAYI_FUZZ_KEEP=<dir> keeps the reports and the server log.
PHASES = "examples,coverage,fuzzing" if os.environ.get("DAYI_FUZZ_COVERAGE") == "1" else "examples,fuzzing"


def command(url: str, token: str | None, report: Path) -> list[str]:
    config = report.with_suffix(".toml")
    config.write_text(CONFIG)
    cmd = [
        SCHEMATHESIS, "--config-file", str(config), "run", f"{url}/api/v1/openapi.json", "--url", url,
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", PHASES, "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--no-shrink", "--workers", "1", "--request-timeout", "30",
        "--suppress-health-check", "all", "--warnings", "off",
        "--report", "ndjson", "--report-ndjson-path", str(report),
    ]  # fmt: skip
    if token:
        cmd += ["--header", f"Authorization: Bearer {token}", *SIGNED_IN_EXCLUDED]
    return cmd


def failures(report: Path) -> list[dict[str, str]]:
    """Each failed check of the run: operation, title, message, and the request with its answer's status."""
    found = []
    for line in report.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if not event or event["status"] not in ("failure", "error"):
            continue
        recorder = event["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = check.get("failure_info", {}).get("failure", {})
                case = recorder.get("cases", {}).get(case_id, {}).get("value", {})
                response = (recorder.get("interactions", {}).get(case_id) or {}).get("response") or {}
                request = {
                    k: case[k] for k in ("path_parameters", "query", "body", "media_type") if case.get(k)
                }
                found.append({
                    "operation": failure.get("operation", recorder["label"]),
                    "title": failure.get("title", check["name"]),
                    "message": failure.get("message", "")[:300],
                    "request": f"{response.get('status_code')} for "
                    + json.dumps(request, ensure_ascii=False)[:300],
                })  # fmt: skip
    return found


def exceptions(log: str) -> list[str]:
    """The distinct exceptions in the server's log, with the request each was first seen in."""
    seen: dict[str, str] = {}
    where = ""
    for line in log.splitlines():
        if line.startswith("unhandled error in "):
            where = line.removeprefix("unhandled error in ")
        elif re.match(r"^[\w.]+(Error|Exception|Overflow)\b", line) and line[:120] not in seen:
            seen[line[:120]] = where
    return [f"{error}  (first in {where})" for error, where in seen.items()]


def known(failure: dict[str, str]) -> str | None:
    for what, matches, branch in KNOWN:
        if matches(failure):
            return f"{branch} ({what})"
    return None


@heavy
def test_the_api_answers_every_fuzzed_request_as_its_schema_says_and_never_with_a_5xx(
    served_demo: Any, tmp_path: Path
) -> None:
    server, tokens = served_demo
    started = time.perf_counter()
    runs = {
        role: subprocess.Popen(  # noqa: S603 - the schemathesis command line, fixed arguments
            command(server.url, token, tmp_path / f"{i}.ndjson"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i, (role, token) in enumerate(tokens.items())
    }
    outputs = {}
    for role, run in runs.items():
        try:
            outputs[role] = run.communicate(timeout=max(1, started + SECONDS - time.perf_counter()))[0]
        except subprocess.TimeoutExpired:
            for other in runs.values():
                other.kill()
            raise AssertionError(f"the fuzzing took over {SECONDS} s (stopped at {role}): too slow") from None
    seconds = time.perf_counter() - started
    keep = os.environ.get("DAYI_FUZZ_KEEP")
    if keep:
        shutil.copytree(tmp_path, keep, dirs_exist_ok=True)
        Path(keep, "server.log").write_text(server.errors())

    operations = cases = 0
    met_known = False
    unexpected: list[str] = []
    print(f"\nfuzzing: {len(runs)} roles, {seconds:.0f} s")
    for i, (role, out) in enumerate(outputs.items()):
        ops = re.search(r"Tested: (\d+)", out)
        generated = re.search(r"(\d+) generated", out)
        assert ops and generated, f"{role}: schemathesis did not run:\n{out[-3000:]}"
        operations = max(operations, int(ops[1]))
        cases += int(generated[1])
        print(f"  {role}: {ops[1]} operations, {generated[1]} requests")
        for failure in failures(tmp_path / f"{i}.ndjson"):
            branch = known(failure)
            line = f"{role}: {failure['operation']}: {failure['title']}: {failure['request']}"
            line += f" {failure['message']}"
            if branch:
                met_known = True
                print(f"    known, fixed on branch {branch}: {line}")
            else:
                unexpected.append(line)
    print(f"  in all: {operations} operations, {cases} requests")
    if KNOWN and not met_known:
        print("  no known failure met: once their branches are merged, empty KNOWN")
    assert operations >= 100, "the OpenAPI document lost its operations?"
    if unexpected:
        errors = "\n".join(exceptions(server.errors()))
        raise AssertionError("\n".join(unexpected) + "\n\nexceptions in the server's log:\n" + errors)
