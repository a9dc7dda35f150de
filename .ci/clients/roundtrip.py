"""A round trip through the Python client that openapi-python-client generates from
openapi/openapi.json, as an integrator would write it: every request and every response goes
through the generated functions and models, which parse each response (an enum value or a shape
the document does not state fails here, as it would for an integrator).

Run by .ci/conformance against a live service holding the demo data (`devfund seed --demo`):
  DEVFUND_URL=http://127.0.0.1:8080 DEVFUND_TOKEN=<admin token> python roundtrip.py

Each step runs even when an earlier one failed; the exit code is 1 when any failed.

Operations are looked up by their operationId (the module name the generator gives them), and
a query value is given in the type the generated signature asks for (an enum member, a list or
a plain string), so the script holds whatever tags or parameter styles the document settles on.
"""

from __future__ import annotations

import enum
import importlib
import os
import pkgutil
import random
import sys
import traceback
import types
import typing
from http import HTTPStatus
from typing import Any, Callable

import devfund_client.api
from devfund_client import AuthenticatedClient

BASE_URL = os.environ["DEVFUND_URL"]
TOKEN = os.environ["DEVFUND_TOKEN"]

# The demo's Line 2 projects (data/demo/booklet_projects.json).
DEMO_LINE_2 = {"PO.0141", "MA.1147", "IB.0123", "PR.0135", "CE.0411", "CT.0921"}

client = AuthenticatedClient(base_url=BASE_URL, token=TOKEN, raise_on_unexpected_status=False)


class Failed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


# ---------------------------------------------------------------- generated-code helpers

_operations: dict[str, types.ModuleType] = {}


def op(operation_id: str) -> types.ModuleType:
    """The generated module of an operation, wherever its tag put it."""
    if not _operations:
        for info in pkgutil.walk_packages(devfund_client.api.__path__, "devfund_client.api."):
            if not info.ispkg:
                _operations[info.name.rsplit(".", 1)[1]] = importlib.import_module(info.name)
    check(operation_id in _operations, f"the generated client has no operation {operation_id}")
    return _operations[operation_id]


def _union_members(hint: Any) -> list[Any]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(hint) for m in _union_members(a)]
    return [hint]


def arg(fn: Callable[..., Any], name: str, value: str) -> Any:
    """`value` as the generated signature of `fn` wants parameter `name`: an enum member, a
    list (comma-separated value), an int or a string."""
    hints = typing.get_type_hints(fn)
    check(name in hints, f"{fn.__module__}.{fn.__name__} has no parameter {name}")
    members = _union_members(hints[name])

    def scalar(kinds: list[Any], v: str) -> Any:
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, enum.Enum):
                return kind(v)
        if int in kinds and str not in kinds:
            return int(v)
        return v

    for kind in members:
        if typing.get_origin(kind) is list and not any(isinstance(m, type) and issubclass(m, enum.Enum) for m in members):
            inner = (typing.get_args(kind) or (str,))[0]
            return [scalar(_union_members(inner), v) for v in value.split(",")]
    return scalar(members, value)


def body(fn: Callable[..., Any], data: dict[str, Any]) -> Any:
    """A request body built by the generated model of `fn`'s `body` parameter."""
    models = [m for m in _union_members(typing.get_type_hints(fn)["body"]) if hasattr(m, "from_dict")]
    check(len(models) >= 1, f"{fn.__module__}: body has no generated model")
    try:
        return models[0].from_dict(data)
    except (ValueError, TypeError, KeyError) as e:
        raise Failed(f"the generated request model {models[0].__name__} cannot hold a valid body: {type(e).__name__}: {e}") from e


def value(x: Any) -> Any:
    """A field's JSON value: enum members by their value."""
    return x.value if isinstance(x, enum.Enum) else x


def field(model: Any, name: str) -> Any:
    """A documented field of a parsed model. An untyped response (no properties in the
    document) parses to a bag of additional_properties, which is reported as such."""
    check(
        hasattr(model, name) or not hasattr(model, "additional_properties"),
        f"{type(model).__name__} has no field `{name}`: the document gives the response no typed "
        f"property `{name}` (the generated model only has additional_properties "
        f"{sorted(getattr(model, 'additional_properties', {}))[:8]})",
    )
    check(hasattr(model, name), f"{type(model).__name__} has no field `{name}`")
    return getattr(model, name)


def expect(response: Any, status: int, what: str) -> Any:
    text = response.content[:400].decode("utf-8", "replace")
    check(response.status_code == HTTPStatus(status), f"{what}: HTTP {int(response.status_code)}, expected {status}: {text}")
    check(response.parsed is not None, f"{what}: HTTP {status} is not a documented response (parsed is None)")
    return response.parsed


def problem(response: Any, status: int, code: str, what: str) -> Any:
    p = expect(response, status, what)
    check(type(p).__name__ == "Problem" or hasattr(p, "code"), f"{what}: parsed as {type(p).__name__}, not a Problem")
    check(field(p, "code") == code, f"{what}: problem code {p.code!r}, expected {code!r}")
    check(response.headers.get("content-type", "").startswith("application/problem+json"), f"{what}: content type {response.headers.get('content-type')}")
    return p


# ---------------------------------------------------------------- the round trip

state: dict[str, Any] = {}


def list_with_filter() -> str:
    fn = op("list_projects").sync_detailed
    page = expect(fn(client=client, funding_line=arg(fn, "funding_line", "line_2")), 200, "GET /projects?funding_line=line_2")
    items = field(page, "items")
    lines = {value(field(p, "funding_line")) for p in items}
    check(lines == {"line_2"}, f"funding_line values {lines}, expected only 'line_2'")
    codes = {field(p, "code") for p in items}
    check(DEMO_LINE_2 <= codes, f"the demo's Line 2 projects missing: {sorted(DEMO_LINE_2 - codes)}")
    check(field(field(page, "meta"), "total") == len(items), f"meta.total {page.meta.total} != {len(items)} items")
    return f"{len(items)} projects"


def get_one() -> str:
    fn = op("get_project").sync_detailed
    r = fn("MA.1147", client=client)
    p = expect(r, 200, "GET /projects/MA.1147")
    check(field(p, "code") == "MA.1147", f"code {p.code}")
    check(value(field(p, "funding_line")) == "line_2", f"funding_line {p.funding_line!r}")
    check(value(field(p, "scope")) == "national", f"scope {p.scope!r}")
    check([field(s, "iso3") for s in field(p, "member_states")] == ["NPL"], f"member_states {p.member_states!r}")
    check(field(field(p, "budget"), "currency") == "USD", f"budget {p.budget!r}")
    check(bool(r.headers.get("etag")), "no ETag header")
    return f"{p.code} {value(p.status)} {p.budget.amount} {p.budget.currency}"


def create() -> str:
    fn = op("create_project").sync_detailed
    code = f"RT.{random.randrange(10000):04d}"
    data = {
        "code": code,
        "title": "Conformance round trip (Python client)",
        "funding_line": "line_1",
        "funding_year": 2026,
        "scope": "national",
        "budget": {"amount": "100000.00", "currency": "USD"},
        "staff_office_share": "0.25",
        "member_states": [{"iso3": "NPL"}],
        "sdg_targets": ["10.7", "8.8"],
    }
    r = fn(client=client, body=body(fn, data))
    p = expect(r, 201, f"POST /projects {code}")
    check(field(p, "code") == code, f"code {p.code}")
    check(value(field(p, "status")) == "draft", f"status {p.status!r}")
    check(value(field(p, "funding_line")) == "line_1", f"funding_line {p.funding_line!r}")
    check(sorted(field(p, "sdg_targets")) == ["10.7", "8.8"], f"sdg_targets {p.sdg_targets!r}")
    etag = r.headers.get("etag")
    check(bool(etag), "no ETag header on 201")
    state["code"], state["etag"] = code, etag
    return f"{code} created, ETag {etag}"


def patch() -> str:
    check("code" in state, "no project created by the previous step")
    fn = op("update_project").sync_detailed
    title = "Conformance round trip (Python client), patched"
    r = fn(state["code"], client=client, body=body(fn, {"title": title, "summary": "A merge patch."}), if_match=state["etag"])
    p = expect(r, 200, f"PATCH /projects/{state['code']}")
    check(field(p, "title") == title, f"title {p.title!r}")
    check(field(p, "summary") == "A merge patch.", f"summary {p.summary!r}")
    new_etag = r.headers.get("etag")
    check(bool(new_etag) and new_etag != state["etag"], f"ETag {new_etag!r} after the patch (before: {state['etag']!r})")
    # The old ETag is stale now.
    stale = fn(state["code"], client=client, body=body(fn, {"title": "stale"}), if_match=state["etag"])
    problem(stale, 412, "precondition_failed", "PATCH with a stale If-Match")
    return f"title patched, ETag {state['etag']} -> {new_etag}; stale If-Match -> 412"


def unprocessable() -> str:
    fn = op("create_project").sync_detailed
    data = {
        "code": "not a code",
        "title": "Invalid",
        "funding_line": "line_1",
        "funding_year": 2026,
        "scope": "national",
        "budget": {"amount": "1.00", "currency": "USD"},
        "member_states": [{"iso3": "NPL"}],
    }
    p = problem(fn(client=client, body=body(fn, data)), 422, "validation_failed", "POST /projects with an invalid code")
    errors = field(p, "errors")
    check(bool(errors) and any(field(e, "field") == "code" for e in errors), f"errors {errors!r} do not name `code`")
    return "422 validation_failed, errors name `code`"


def not_found() -> str:
    fn = op("get_project").sync_detailed
    problem(fn("ZZ.0000", client=client), 404, "not_found", "GET /projects/ZZ.0000")
    return "404 not_found"


def portfolio() -> str:
    fn = op("portfolio_report").sync_detailed
    rep = expect(
        fn(client=client, group_by=arg(fn, "group_by", "region"), funding_line=arg(fn, "funding_line", "line_2")),
        200,
        "GET /reports/portfolio?group_by=region&funding_line=line_2",
    )
    rows = field(rep, "rows")
    field(rep, "totals")
    by_region = {r.to_dict().get("region"): r for r in rows}
    check("AP" in by_region, f"no AP row: {sorted(map(str, by_region))}")
    ap = by_region["AP"]
    # The README's figures for the demo data.
    check(field(field(ap, "follow_up_usd"), "amount") == "16000000.00", f"AP follow_up_usd {ap.follow_up_usd!r}")
    check(field(ap, "leverage") == "24.62", f"AP leverage {ap.leverage!r}")
    return f"{len(rows)} rows; AP follow-up {ap.follow_up_usd.amount}, leverage {ap.leverage}"


def leverage() -> str:
    fn = op("leverage_report").sync_detailed
    rep = expect(fn(client=client), 200, "GET /reports/leverage")
    projects = field(rep, "projects")
    check(len(projects) > 0, "no projects ranked")
    first = projects[0]
    field(first, "code"), field(first, "leverage"), field(field(first, "follow_up_usd"), "amount")
    field(rep, "by_source_type"), field(rep, "totals")
    return f"{len(projects)} projects, first {first.code} ({first.follow_up_usd.amount} USD)"


def allocation() -> str:
    fn = op("allocation_report").sync_detailed
    rep = expect(fn(client=client, year=arg(fn, "year", "2026")), 200, "GET /reports/allocation?year=2026")
    check(field(rep, "year") == 2026, f"year {rep.year!r}")
    lines = {value(field(line, "funding_line")) for line in field(rep, "lines")}
    check(lines == {"line_1", "line_2"}, f"lines {lines}")
    field(rep, "regions")
    return f"lines {sorted(lines)}"


def coverage() -> str:
    fn = op("coverage_report").sync_detailed
    rep = expect(fn(client=client, framework=arg(fn, "framework", "sdg")), 200, "GET /reports/coverage?framework=sdg")
    check(value(field(rep, "framework")) == "sdg", f"framework {rep.framework!r}")
    elements = field(rep, "elements")
    codes = {field(e, "code") for e in elements}
    check("10.7" in codes, f"10.7 not among {len(codes)} elements")
    return f"{len(elements)} elements"


STEPS: list[tuple[str, Callable[[], str]]] = [
    ("list projects (funding_line=line_2)", list_with_filter),
    ("get one project", get_one),
    ("create a project", create),
    ("patch it with If-Match (merge patch)", patch),
    ("422 problem", unprocessable),
    ("404 problem", not_found),
    ("report: portfolio", portfolio),
    ("report: leverage", leverage),
    ("report: allocation", allocation),
    ("report: coverage", coverage),
]


def main() -> int:
    failed = 0
    for name, step in STEPS:
        try:
            print(f"PASS {name}: {step()}", flush=True)
        except Failed as e:
            failed += 1
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # what an integrator's code would hit: the generated client raising
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            tb = traceback.extract_tb(e.__traceback__)
            frames = [f for f in tb if "devfund_client" in f.filename][-2:] or tb[-1:]
            for f in frames:
                print(f"       at {f.filename.split('site/')[-1]}:{f.lineno} {f.line}", flush=True)
    print(f"roundtrip.py: {len(STEPS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
