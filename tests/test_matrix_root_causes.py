"""kit matrix report: root causes, failures inherited from an SDK, the dialect column and the
upstream links (issue 14, items 3, 4 and 7), on small synthetic results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit import matrix
from kit.errors import TraceError

ROOT = Path(__file__).resolve().parents[1]
CHAT = "openai.chat.completions"


def results(adapter: str, cells: dict[str, dict], *, library: str, distribution: str,
            sits_on: tuple[str, ...] = (), recipe: str = "") -> list[dict]:
    """A results file: ``cells`` is {trace: fields of its verdict record} (one chunk plan)."""
    run = {"type": "run", "format": "kit-verify/1", "kit": "0.1.0", "started": "2026-01-02T03:04:05Z",
           "versions": {"python": "3.11.7"}, "chunkings": ["recorded"],
           "adapters": [{"name": adapter, "apis": [CHAT]}],
           "matrix": {"adapter": adapter, "library": library, "distribution": distribution, "version": "1.0",
                      "env": "x", "usage": f"{adapter}.stream()", "recipe": recipe, "sits_on": list(sits_on)}}
    out = [run]
    for trace, fields in cells.items():
        rec = {"type": "verdict", "adapter": adapter, "trace": trace, "trace_path": None, "api": CHAT,
               "class": "y", "chunking": "recorded", "verdict": "PASS", "rule": None, "check": "plan",
               "message": "matches the reference", "path": None, "expected": None, "actual": None,
               "differences": [], "notes": [], "known": None, "repro": None, "seconds": 0.0}
        rec.update(fields)
        out.append(rec)
    return out + [{"type": "summary", "seconds": 1.0}]


def crash(exc: str, at: str, origin: dict | None = None, **kw) -> dict:
    """A crash record: ``at`` is the message's "file:line in function" (what older records carry)."""
    file, rest = at.split(":", 1)
    line, function = rest.split(" in ")
    out = {"verdict": "ERROR", "check": "crash", "rule": "chat-finish",
           "message": f"crashed on a valid stream: {exc}: boom (at {file}:{line} in {function})"}
    if origin is not None:
        out["origin"] = origin
    out.update(kw)
    return out


def fail(path: str, expected, actual, **kw) -> dict:
    out = {"verdict": "FAIL", "check": "plan", "rule": "chat-usage", "path": path, "expected": expected,
           "actual": actual, "message": "differs",
           "differences": [{"path": path, "expected": expected, "actual": actual, "field": path.rsplit(".", 1)[-1],
                            "rule": "chat-usage"}]}
    out.update(kw)
    return out


STREAMING = {"package": "openai", "file": "openai/_streaming.py", "line": 300, "function": "json",
             "exception": "JSONDecodeError"}


def test_a_crash_inside_the_sdk_is_one_root_cause_inherited_by_the_libraries_on_top():
    sdk = results("sdk-chat", {"y_keep": crash("JSONDecodeError", "decoder.py:355 in raw_decode", STREAMING),
                               "y_ok": {}}, library="openai SDK", distribution="openai")
    wrap = results("wrap-chat", {"y_keep": crash("WrapError", "wrap.py:9 in parse", {**STREAMING, "line": 276}),
                                 "y_own": crash("KeyError", "wrap.py:20 in build",
                                                {"package": "wrap", "file": "wrap/core.py", "line": 20,
                                                 "function": "build", "exception": "KeyError"})},
                   library="Wrap", distribution="wrap", sits_on=("openai",))
    # the same crash in a library that does not declare it reads the stream through openai
    other = results("other-chat", {"y_keep": crash("JSONDecodeError", "decoder.py:355 in raw_decode", STREAMING)},
                    library="Other", distribution="other")
    a = matrix.analyse([sdk, wrap, other])
    rc = "openai/_streaming.py:json JSONDecodeError"
    assert a.cells[("sdk-chat", "y_keep")]["root_cause"] == rc and a.cells[("sdk-chat", "y_keep")]["inherited"] is None
    cell = a.cells[("wrap-chat", "y_keep")]
    assert (cell["root_cause"], cell["inherited"]) == (rc, "openai")
    assert cell["criterion"].startswith("raised inside openai (openai/_streaming.py:276)")
    # no sits_on: not inherited, and a dependency's code is charged to the library that calls it
    assert a.cells[("other-chat", "y_keep")]["inherited"] is None
    assert a.cells[("other-chat", "y_keep")]["root_cause"] == f"Other: {rc}"
    own = a.cells[("wrap-chat", "y_own")]
    assert own["inherited"] is None and own["root_cause"] == "wrap/core.py:build KeyError"
    assert {f["adapter"] for f in a.causes[rc]["cells"]} == {"sdk-chat", "wrap-chat"}
    assert a.causes[rc]["inherited"] == 1

    md = matrix.markdown_report([sdk, wrap, other])
    # the wrapper's row counts it in "inherited", not in ERROR; its own crash stays ERROR
    row = next(line for line in md.splitlines() if "[`wrap-chat`]" in line and line.startswith("| Wrap"))
    cols = [c.strip() for c in row.split("|")[6:-1]]
    assert dict(zip(matrix.COLUMNS, cols))["ERROR"] == "1" and dict(zip(matrix.COLUMNS, cols))["inherited"] == "1"
    assert f"inherited from openai: root cause [`{rc}`](#{matrix._anchor(rc)})" in md
    roots = md.split("\n## Root causes\n", 1)[1].split("\n## ", 1)[0]
    assert roots.count(f"`{rc}`") == 1 and f'<a id="{matrix._anchor(rc)}"></a>' in roots  # listed once
    assert "`kit verify -a sdk-chat --trace y_keep`" in roots  # one repro: the SDK's own cell
    html = matrix.html_report([sdk, wrap, other], ROOT)
    assert 'id="root-causes"' in html and f"inherited from openai (raised inside openai" in html


def test_without_origins_a_crash_is_inherited_only_when_the_sdk_row_raises_the_same_at_the_same_place():
    # records written before origins: no "origin" key at all
    sdk = results("sdk-chat", {"y_keep": crash("JSONDecodeError", "decoder.py:355 in raw_decode"),
                               "y_cut": crash("TypeError", "_completions.py:537 in _build_events")},
                  library="openai SDK", distribution="openai")
    wrap = results("wrap-chat", {"y_keep": crash("JSONDecodeError", "decoder.py:340 in raw_decode"),
                                 "y_cut": crash("TypeError", "wrap.py:3 in fold")},
                   library="Wrap", distribution="wrap", sits_on=("openai",))
    a = matrix.analyse([sdk, wrap])
    same = a.cells[("wrap-chat", "y_keep")]
    assert same["inherited"] == "openai" and "sdk-chat, the SDK's own row, raises the same JSONDecodeError" in \
        same["criterion"]
    assert same["root_cause"] == a.cells[("sdk-chat", "y_keep")]["root_cause"] == \
        "openai SDK: decoder.py:raw_decode JSONDecodeError"
    elsewhere = a.cells[("wrap-chat", "y_cut")]
    assert elsewhere["inherited"] is None and elsewhere["root_cause"] == "Wrap: wrap.py:fold TypeError"


def test_a_fail_is_inherited_only_when_lost_in_the_sdks_sse_layer():
    usage = ("usage", {"input_tokens": 3}, None)
    bom = ("choices[0].commands[0].text", "Hi there", " there")
    sdk = results("sdk-chat", {"y_a": fail(*usage), "y_bom": fail(*bom, rule="sse-bom"),
                               "y_bom2": fail(*bom, rule="sse-bom")},
                  library="openai SDK", distribution="openai")
    wrap = results("wrap-chat", {"y_a": fail(*usage), "y_bom": fail(*bom, rule="sse-bom"),
                                 "y_bom2": fail("choices[0].commands[0].text", "Hi there", "", rule="sse-bom"),
                                 "y_bom3": fail(*bom, rule="sse-bom")},
                   library="Wrap", distribution="wrap", sits_on=("openai",))
    a = matrix.analyse([sdk, wrap])
    # identical differences in what the library builds from the events are the library's own
    assert a.cells[("wrap-chat", "y_a")]["inherited"] is None
    assert a.cells[("wrap-chat", "y_a")]["root_cause"] == "Wrap: chat-usage [usage]"
    # a stream lost in the SDK's SSE layer, which the SDK's row fails too, is inherited (however it shows)
    for trace in ("y_bom", "y_bom2"):
        cell = a.cells[("wrap-chat", trace)]
        assert cell["inherited"] == "openai" and "SSE layer" in cell["criterion"], trace
    assert a.cells[("wrap-chat", "y_bom3")]["inherited"] is None  # the SDK's row has no y_bom3 cell
    rows = {r["adapter"]: r["counts"] for r in matrix.summary_rows([sdk, wrap], a)}
    assert (rows["wrap-chat"]["FAIL"], rows["wrap-chat"]["inherited"]) == (2, 2)
    assert (rows["sdk-chat"]["FAIL"], rows["sdk-chat"]["inherited"]) == (3, 0)


def test_an_error_on_a_dialect_trace_is_its_own_column_and_a_fail_stays_a_fail():
    lib = results("lib-chat", {"y_contract": crash("ValueError", "lib.py:1 in f"),
                               "y_zero_index": crash("ValueError", "lib.py:1 in f", dialect="all-index-zero"),
                               "y_stop_calls": fail("usage", 1, 2, dialect="stop-with-calls"),
                               "y_pass": {}, "y_pass2": {"dialect": "keepalive-data"}},
                  library="Lib", distribution="lib")
    a = matrix.analyse([lib])
    assert a.cells[("lib-chat", "y_zero_index")]["column"] == "dialect"
    assert a.cells[("lib-chat", "y_contract")]["column"] == "ERROR"  # a record without "dialect" is contract
    assert a.cells[("lib-chat", "y_stop_calls")]["column"] == "FAIL"
    c = matrix.columns(lib, a)
    assert (c["ERROR"], c["dialect"], c["FAIL"], c["PASS"]) == (1, 1, 1, 2)
    md = matrix.markdown_report([lib])
    row = next(line for line in md.splitlines() if line.startswith("| Lib |"))
    assert row.rstrip().endswith("| 50% |")  # 2 of the 4 cells outside the dialect column
    assert "a dialect incompatibility (dialect `all-index-zero`), not a contract failure" in md
    assert "`y_zero_index` (dialect)" in md
    assert "1 dialect incompatibilities are counted apart" in md


def test_upstream_links_show_on_matching_cells_and_their_root_cause():
    sdk = results("sdk-chat", {"y_keep": crash("JSONDecodeError", "decoder.py:355 in raw_decode", STREAMING),
                               "y_other": crash("JSONDecodeError", "decoder.py:355 in raw_decode", STREAMING)},
                  library="openai SDK", distribution="openai")
    link = {"match": {"package": "openai", "trace": "y_keep", "exception": "JSONDecodeError"},
            "url": "https://github.com/openai/openai-python/issues/1", "title": "keep-alive breaks sse.json()"}
    miss = {"match": {"adapter": "nobody"}, "url": "https://github.com/x/y/issues/2", "title": "unrelated"}
    a = matrix.analyse([sdk], [link, miss])
    assert a.cells[("sdk-chat", "y_keep")]["links"] == [link] and a.cells[("sdk-chat", "y_other")]["links"] == []
    assert a.causes["openai/_streaming.py:json JSONDecodeError"]["links"] == [link]
    md = matrix.markdown_report([sdk], [link, miss])
    said = "[keep-alive breaks sse.json()](https://github.com/openai/openai-python/issues/1)"
    per_library = md.split("\n## Per library\n", 1)[1]
    keep = per_library.split("`y_keep`", 1)[1].split("repro:", 1)[0]
    other = per_library.split("`y_other`", 1)[1].split("repro:", 1)[0]
    assert said in keep and said not in other and "unrelated" not in md
    assert said in md.split("\n## Root causes\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("entry, problem", [
    ({"match": {"trace": "y_a"}, "url": "https://example.com/1", "title": "t"}, "not a GitHub issue"),
    ({"match": {"trace": "y_a"}, "url": "https://github.com/a/b/issues/1", "title": ""}, "title"),
    ({"match": {"colour": "red"}, "url": "https://github.com/a/b/issues/1", "title": "t"}, "keys among"),
    ({"match": {"trace": []}, "url": "https://github.com/a/b/issues/1", "title": "t"}, "string or a list"),
    ({"match": {"trace": "y_a"}, "url": "https://github.com/a/b/issues/1", "title": "t", "x": 1}, "nothing else"),
])
def test_a_malformed_upstream_entry_is_named(entry, problem, tmp_path):
    assert problem in (matrix.upstream_problem(entry) or "")
    (tmp_path / "matrix").mkdir()
    (tmp_path / "matrix" / "upstream.json").write_text(json.dumps({"links": [entry]}))
    with pytest.raises(TraceError, match=r"links\[0\]: "):
        matrix.load_upstream(tmp_path)


def test_every_committed_upstream_link_is_well_formed_and_matches_a_committed_cell():
    links = matrix.load_upstream(ROOT)
    assert links, "matrix/upstream.json has no links"
    analysis = matrix.analyse(matrix.load_results(ROOT), links)
    for e in links:
        assert matrix.upstream_problem(e) is None
        assert any(e in f["links"] for f in analysis.cells.values()), f"{e['url']} matches no committed red cell"
    assert len({e["url"] for e in links}) == len(links)


def test_a_recipes_own_crash_is_the_recipes_not_the_librarys():
    glue = {"package": "kit-adapter", "file": "kit/adapters/openai_sdk.py", "line": 9, "function": "loop",
            "exception": "TypeError"}
    rows = [results("guide-loop", {"y_a": crash("TypeError", "openai_sdk.py:9 in loop", glue)},
                    library="openai SDK", distribution="openai", recipe="the guide's loop"),
            results("sdk-row", {"y_a": {}}, library="openai SDK", distribution="openai")]
    analysis = matrix.analyse(rows)
    [cause] = analysis.causes.values()
    assert cause["libraries"] == ["the recipe guide-loop"] and cause["inherited"] == 0


def test_usage_a_dialect_sends_where_the_library_does_not_read_is_a_dialect_incompatibility():
    none = ("usage", {"input_tokens": 3}, None)
    zero = ("usage", {"input_tokens": 3}, {"input_tokens": 0})
    lib = results("lib-chat", {"y_vendor": fail(*none, dialect="usage-vendor-field"),
                               "y_vendor_zero": fail(*zero, dialect="usage-vendor-field"),
                               "y_contract": fail(*none)},
                  library="Lib", distribution="lib")
    a = matrix.analyse([lib])
    assert a.cells[("lib-chat", "y_vendor")]["column"] == "dialect"  # not reported at all: unsupported
    assert a.cells[("lib-chat", "y_vendor_zero")]["column"] == "FAIL"  # an invented zero is wrong data
    assert a.cells[("lib-chat", "y_contract")]["column"] == "FAIL"  # the contract's usage lost
