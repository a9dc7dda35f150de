"""Deduplicate the failures of a schemathesis run, from its NDJSON report, into one entry per
(operation, check, response status, cause) with the shortest request that reproduces it. The
cause of a rejected valid request is each field error the service named (field and code); of
a response that violates its schema, the kind of violation and the schema location.

  python schemathesis_failures.py REPORT.ndjson [MORE.ndjson ...] > failures.txt

Several reports (e.g. of the SQLite and PostgreSQL runs) are merged into one list.

The request is printed as curl with `$TOKEN` where schemathesis filtered the bearer token, and
`$BASE` for the server (e.g. BASE=http://127.0.0.1:8080). A request from the stateful phase may need the steps before it (the
resource it names was created by them): its phase is printed.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import sys
from collections import defaultdict
from typing import Any
from pathlib import Path
from urllib.parse import urlsplit


def _by_design() -> tuple[set[str], set[tuple[str, str]]]:
    """The field errors .ci/schemathesis_hooks.py accepts (not listed as causes here)."""
    scope: dict[str, Any] = {}
    source = (Path(__file__).resolve().parent.parent / "schemathesis_hooks.py").read_text(encoding="utf-8")
    start = source.index("NOT_EXPRESSIBLE = ")
    exec(source[start : source.index("NOT_EXPRESSIBLE_PROBLEMS")], scope)  # the two set literals
    return scope["NOT_EXPRESSIBLE"], scope["NOT_EXPRESSIBLE_FIELDS"]


BY_DESIGN_CODES, BY_DESIGN_FIELDS = _by_design()


def curl(request: dict[str, Any]) -> str:
    url = urlsplit(request["uri"])
    rest = url.path + ("?" + url.query if url.query else "")
    target = '"$BASE"' + (rest if re.fullmatch(r"[\w/.:%=&-]+", rest) else shlex.quote(rest))
    parts = ["curl", "-i", "-X", request["method"]]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in {"user-agent", "accept-encoding", "connection", "content-length", "x-schemathesis-testcaseid", "accept"}:
            continue
        for v in values:
            if name.lower() == "authorization" and "Filtered" in v:
                parts.append('-H "Authorization: Bearer $TOKEN"')
                continue
            parts.append("-H " + shlex.quote(f"{name}: {v}" if v != "" else f"{name};"))
    body = request.get("body")
    if body:
        raw = base64.b64decode(body["$base64"]) if isinstance(body, dict) and "$base64" in body else str(body).encode()
        try:
            text = raw.decode("utf-8")
            parts.append("--data-raw " + shlex.quote(text))
        except UnicodeDecodeError:
            parts.append(f"--data-binary @<(printf %s {shlex.quote(base64.b64encode(raw).decode())} | base64 -d)")
    parts.append(target)
    return " ".join(parts)


def problem_of(response: dict[str, Any] | None) -> dict[str, Any] | None:
    if not response:
        return None
    content = response.get("content") or {}
    raw = base64.b64decode(content["$base64"]) if isinstance(content, dict) and "$base64" in content else b""
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "code" in doc else None


def causes(failure: dict[str, Any], response: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(key, example) pairs: a short, stable statement of why the check failed (to deduplicate
    on) and a readable example of it. A 4xx problem with several field errors gives one cause
    per field error."""
    code, message = failure.get("code", ""), failure.get("message", "")
    if code == "ST108":  # response schema: the kind of violation and the schema location
        first = message.splitlines()[0] if message else ""
        where = re.search(r"Schema at (\S+):", message)
        location = where.group(1) if where else "?"
        return [(re.sub(r'"[^"]*"', '"…"', first) + f" [{location}]", f"{first} [{location}]")]
    if code == "ST201":  # negative data accepted: the component that was invalid
        comp = re.search(r"Invalid component: (.*)", message)
        text = comp.group(1) if comp else message.splitlines()[-1]
        return [(text, text)]
    if code == "ST202":  # positive data rejected: each field the service named, and its code
        problem = problem_of(response)
        if problem is None:
            return [("(no problem document)", "")]
        errors = [e for e in problem.get("errors") or [] if isinstance(e, dict)]
        if not errors:
            return [(problem["code"], f"{problem['code']}: {problem.get('detail', '')}")]
        out = []
        for e in errors:
            field = re.sub(r"\[\d+\]", "[]", str(e.get("field", "")))
            if e.get("code") in BY_DESIGN_CODES or (field.rsplit(".", 1)[-1], e.get("code")) in BY_DESIGN_FIELDS:
                continue  # accepted by the hook; reported only through the other errors of this 422
            out.append((f"{problem['code']}: {field} ({e.get('code')})", f"{problem['code']}: {e.get('field')}: {e.get('message', '')}"[:240]))
        return out
    lines = [ln for ln in message.splitlines() if ln.strip()]
    text = lines[0] if lines else failure.get("title", "")
    return [(text, text)]


def main(paths: list[str]) -> int:
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    lines = (line for path in paths for line in open(path, encoding="utf-8"))
    for line in lines:
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        interactions = recorder.get("interactions") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                interaction = interactions.get(case_id) or {}
                response = interaction.get("response")
                status = str(response.get("status_code")) if response else "-"
                request = interaction.get("request")
                repro = curl(request) if request else "(no request recorded)"
                for why, example in causes(failure, response):
                    key = (
                        failure.get("operation", recorder.get("label", "?")),
                        f"{failure.get('code', '?')} {check.get('name')}",
                        status,
                        why,
                    )
                    counts[key] += 1
                    if key not in found or len(repro) < len(found[key]["repro"]):
                        found[key] = {"repro": repro, "phase": finished.get("phase", "?"), "example": example}
    by_op: dict[str, list[tuple[tuple[str, str, str, str], dict[str, Any]]]] = defaultdict(list)
    for key, info in found.items():
        by_op[key[0]].append((key, info))
    print(f"{len(found)} distinct failures (operation, check, status, cause) in {' '.join(paths)}\n")
    for operation in sorted(by_op, key=lambda o: (o.split(" ", 1)[-1], o)):
        print(operation)
        for (_, check_name, status, why), info in sorted(by_op[operation], key=lambda x: x[0][1:]):
            n = counts[(operation, check_name, status, why)]
            print(f"  - {check_name} -> HTTP {status}: {why}  ({n}x, {info['phase']})")
            if info["example"] and info["example"] != why:
                print(f"      e.g. {info['example']}")
            print(f"      {info['repro']}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
