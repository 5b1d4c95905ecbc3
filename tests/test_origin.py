"""Where a crash comes from (``Outcome.origin``, kit.adapters.python.origin_of): the innermost
third-party frame, past the standard library and the kit, through wrapped exceptions, in
process, in an isolated child process and through a client: adapter."""

from __future__ import annotations

import importlib
import json
import os
import sys
import sysconfig
import textwrap

import pytest

from kit.adapters import load_adapter
from kit.adapters.python import KIT_ADAPTER, _frame_origin, _places, importing_from, origin_of
from kit.trace import corpus
from kit.verify import verify_case

import kit

CHAT = "openai.chat.completions"

# two small "installed" packages: an SDK whose parser calls the standard library, and a
# wrapper on top of it that wraps the SDK's error in its own, three ways
FILES = {
    "fakesdk/__init__.py": "",
    "fakesdk/_streaming.py": """
        import json

        def parse(data):
            return json.loads(data)
    """,
    "fakewrap/__init__.py": "",
    "fakewrap/core.py": """
        from fakesdk._streaming import parse

        class WrapError(Exception):
            pass

        def explicit(data):
            try:
                return parse(data)
            except ValueError as exc:
                raise WrapError("could not decode") from exc

        def implicit(data):
            try:
                return parse(data)
            except ValueError:
                raise WrapError("could not decode")

        def suppressed(data):
            try:
                return parse(data)
            except ValueError:
                raise WrapError("could not decode") from None

        def own(data):
            raise KeyError(data)

        def end_of_stream(data):
            try:
                next(iter(()))
            except StopIteration:
                raise RuntimeError("stream ended")
    """,
    "fakeimpl.py": """
        from fakewrap.core import explicit

        def crashes(reads):
            return explicit(b"".join(reads).decode("utf-8", "replace") + "not json")
    """,
}


@pytest.fixture
def packages(tmp_path, monkeypatch):
    for name, body in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    for name in [m for m in sys.modules if m.split(".")[0] in ("fakesdk", "fakewrap", "fakeimpl")]:
        del sys.modules[name]


def _raise(fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001
        return exc
    raise AssertionError("did not raise")


def test_a_standard_library_error_is_placed_at_the_third_party_code_that_called_it(packages):
    from fakesdk._streaming import parse

    exc = _raise(parse, "x")
    assert type(exc).__name__ == "JSONDecodeError"
    assert origin_of(exc) == {"package": "fakesdk", "file": "fakesdk/_streaming.py", "line": 5, "function": "parse",
                              "exception": "JSONDecodeError"}


def test_a_namespace_package_is_named_by_its_first_two_parts(tmp_path, monkeypatch):
    """google-genai lives in the namespace package ``google`` (shared with google-auth and
    others): its crash is ``google.genai``'s, the name a row's ``sits_on`` gives."""
    mod = tmp_path / "fakens" / "genai" / "_client.py"
    mod.parent.mkdir(parents=True)
    (mod.parent / "__init__.py").write_text("")
    mod.write_text("def load(data):\n    raise ValueError(data)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        from fakens.genai._client import load

        origin = origin_of(_raise(load, "x"))
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "fakens"]:
            del sys.modules[name]
    assert origin["package"] == "fakens.genai" and origin["file"] == "fakens/genai/_client.py"


@pytest.mark.parametrize("how", ["explicit", "implicit"])
def test_a_wrapped_error_is_placed_where_the_wrapped_one_was_raised(packages, how):
    from fakewrap import core

    exc = _raise(getattr(core, how), "x")
    assert type(exc).__name__ == "WrapError"
    origin = origin_of(exc)
    assert (origin["package"], origin["file"], origin["function"], origin["exception"]) == \
        ("fakesdk", "fakesdk/_streaming.py", "parse", "JSONDecodeError")


def test_from_none_and_the_end_of_an_iteration_are_not_followed(packages):
    from fakewrap import core

    origin = origin_of(_raise(core.suppressed, "x"))
    assert (origin["package"], origin["file"], origin["function"], origin["exception"]) == \
        ("fakewrap", "fakewrap/core.py", "suppressed", "WrapError")
    origin = origin_of(_raise(core.end_of_stream, "x"))
    assert (origin["function"], origin["exception"]) == ("end_of_stream", "RuntimeError")
    origin = origin_of(_raise(core.own, "x"))
    assert (origin["package"], origin["function"], origin["exception"]) == ("fakewrap", "own", "KeyError")


def test_no_origin_when_every_frame_is_the_standard_library_or_the_kit():
    exc = _raise(json.loads, "x")  # this test module is third-party code: strip its frame
    exc.__traceback__ = exc.__traceback__.tb_next
    assert origin_of(exc) is None


def test_frames_are_classified_by_where_they_are():
    places = _places()
    site = sysconfig.get_paths()["purelib"]
    stdlib = sysconfig.get_paths()["stdlib"]
    kit_dir = os.path.dirname(kit.__file__)
    assert _frame_origin(os.path.join(stdlib, "json", "decoder.py"), "json.decoder", 1, "f", places) is None
    assert _frame_origin("<string>", None, 1, "__init__", places) is None
    assert _frame_origin(os.path.join(kit_dir, "plan.py"), "kit.plan", 1, "f", places) is None
    inside = _frame_origin(os.path.join(kit_dir, "adapters", "thirdparty", "x_client.py"),
                           "kit.adapters.thirdparty.x_client", 7, "chat", places)
    assert inside == {"package": KIT_ADAPTER, "file": "kit/adapters/thirdparty/x_client.py", "line": 7,
                      "function": "chat"}
    lib = _frame_origin(os.path.join(site, "somelib", "sub", "mod.py"), "somelib.sub.mod", 3, "g", places)
    assert lib == {"package": "somelib", "file": "somelib/sub/mod.py", "line": 3, "function": "g"}
    # outside every sys.path folder: spelled from the module's dotted name, never absolute
    away = _frame_origin(os.path.join(os.sep, "nowhere", "x", "pkg", "mod.py"), "pkg.mod", 2, "h", places)
    assert away == {"package": "pkg", "file": "pkg/mod.py", "line": 2, "function": "h"}


def _check(origin):
    assert origin is not None and not os.path.isabs(origin["file"]) and "\\" not in origin["file"]
    assert (origin["package"], origin["file"], origin["function"], origin["exception"]) == \
        ("fakesdk", "fakesdk/_streaming.py", "parse", "JSONDecodeError")


@pytest.mark.parametrize("isolate", [False, True])
def test_a_crash_record_carries_the_origin_in_process_and_isolated(packages, isolate):
    trace = next(t for t in corpus(api=CHAT) if t.id == "y_text_only")
    with importing_from(packages):
        adapter = load_adapter("py:fakeimpl:crashes", isolate=isolate)
        try:
            r = verify_case(adapter, trace, "recorded")
        finally:
            adapter.close()
    assert (r["verdict"], r["check"]) == ("ERROR", "crash") and "WrapError" in r["message"]
    _check(r["origin"])


def test_a_client_adapter_crash_carries_the_origin(packages):
    (packages / "fakeclient.py").write_text(textwrap.dedent("""
        import urllib.request
        from fakewrap.core import explicit

        def run(base_url, *, api):
            urllib.request.urlopen(base_url + "/chat/completions", data=b"{}").read()
            return explicit("not json")
    """))
    trace = next(t for t in corpus(api=CHAT) if t.id == "y_text_only")
    adapter = load_adapter("client:fakeclient:run")
    try:
        r = verify_case(adapter, trace, "recorded")
    finally:
        adapter.close()
    assert (r["verdict"], r["check"]) == ("ERROR", "crash"), r["message"]
    _check(r["origin"])


def test_a_passing_or_failing_record_has_no_origin():
    trace = next(t for t in corpus(api=CHAT) if t.id == "y_text_only")
    r = verify_case(load_adapter("reference"), trace, "recorded")
    assert r["verdict"] == "PASS" and r["origin"] is None




@pytest.mark.parametrize("text, want", [
    ('File "/srv/ci/.venv/lib/python3.11/site-packages/litellm/llms/x.py", line 3', 'File "litellm/llms/x.py", line 3'),
    ("at /home/u/app/node_modules/@ai-sdk/google/dist/index.mjs:12:3", "at @ai-sdk/google/dist/index.mjs:12:3"),
    ('File "/usr/lib/python3.12/json/decoder.py", line 9', 'File "json/decoder.py", line 9'),
    ("tar czf /tmp/backup.tgz /srv/data", "tar czf /tmp/backup.tgz /srv/data"),  # a path the stream itself carries
])
def test_a_verdict_message_carries_no_path_of_this_machine(text, want):
    """A library's exception text may hold its traceback; verdict records are published."""
    from kit.verify.engine import machine_free

    assert machine_free(text) == want
    assert machine_free(os.path.join(os.path.dirname(os.path.dirname(kit.__file__)), "kit", "x.py")) == os.path.join(
        "kit", "x.py")
