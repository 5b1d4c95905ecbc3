"""Benchmark: the kit's Gemini pipeline vs the google-genai SDK vs bare json.loads.

Run from the repository root::

    python bench/bench_gemini.py                 # 1k, 10k, 100k events, streamed arguments
    python bench/bench_gemini.py --quick         # 1k, 10k, 3 runs each
    python bench/bench_gemini.py --form whole    # the Gemini API's form: text, then whole calls
    python bench/bench_gemini.py --profile 15 --sizes 100k   # cProfile of the kit

The google-genai SDK is optional (``pip install google-genai``); without it the SDK
contenders are skipped and the rest runs.

Every contender gets the *same* list of ``bytes`` reads of the *same* synthetic stream,
in one process, in interleaved rounds (as ``bench_chat.py``; see ``_common.run``):

``kit``        bytes -> ``kit.sse.SSEDecoder`` -> ``kit.reference.gemini.GeminiReference``
               -> Plan, through ``kit.replay.replay_reads("google.generate_content", reads)``.
``sdk``        what ``client.models.generate_content_stream(...)`` does with the same bytes,
               chunk by chunk: ``google.genai._api_client._iter_sse_lines`` and the
               ``data:`` buffer of ``HttpResponse._iter_response_stream`` -> ``json.loads``
               (``segments``) -> ``json.dumps`` and the error check of ``request_streamed``
               -> ``json.loads`` -> ``_GenerateContentResponse_from_vertex`` (``_from_mldev``
               for ``--form whole``) -> ``types.GenerateContentResponse._from_response`` ->
               ``sdk_http_response``: a line-for-line copy without the HTTP plumbing. The SDK
               yields one typed response per chunk and accumulates nothing, so the bench
               then does what its user must: join the visible text, collect the function
               calls, and (streamed form) join the ``partial_args`` string pieces per path
               (the SDK passes them through raw). That consumer is a few lines per chunk.
``json.loads`` the floor: split the body on ``b"\\r\\n\\r\\n"`` (Google's CRLF framing), take
               what follows ``b"data: "``, ``json.loads`` it. No SSE decoder, no accumulation.
``kit-sse`` / ``sdk-sse``   the two SSE decoders alone (bytes -> events; the SDK's is its line
               decoder and ``data:`` buffer).
``kit-machine`` the kit's reference machine alone, fed pre-decoded ``SSEEvent`` objects.

Before timing, the SDK's accumulated result and the kit's Plan are checked to agree (text,
call ids, names, arguments, finish reason, usage), and both against the generator.

The Gemini budgets, set when the API was added, are tighter than the targets ``_common``
prints for the other APIs: the kit within 1.5x of the ``json.loads`` floor and at least 10x
faster than the SDK's own parsing; they are printed after the table.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

# _common (next to this file) also puts the repository root on sys.path for `import kit`.
import _common
from _common import TEXT_PIECES, WORDS, Bench, checker, kit_checker, machine_runner, random_id, run

from kit.reference.gemini import API, GeminiReference  # noqa: E402
from kit.replay import replay_reads  # noqa: E402

try:
    import google.genai
    from google.genai import _api_client as sdk_client
    from google.genai import errors as sdk_errors
    from google.genai import models as sdk_models
    from google.genai import types as sdk_types
except ImportError:
    google = None  # type: ignore[assignment]

require = checker("bench_gemini")
check_kit = kit_checker(require)

FORM = "streamed"  # --form: "streamed" (Vertex AI, streamFunctionCallArguments) or "whole" (Gemini API)

# ----------------------------------------------------------------------------------------
# Workload: a synthetic but realistic Gemini stream
# ----------------------------------------------------------------------------------------

TOOL_NAMES = ("write_file", "append_file", "create_note")
N_CALLS = 3
MODEL = {"streamed": "gemini-3-pro-preview", "whole": "gemini-2.5-flash"}
PROMPT_TOKENS, THOUGHT_TOKENS = 812, 230
# Events that are neither text nor argument pieces. Streamed: per call its opening part,
# its `$.path` piece, its `$.overwrite` piece and its empty closing part; then the finish.
# Whole: a chunk per call, the last one the finish chunk.
FRAMING = {"streamed": 4 * N_CALLS + 1, "whole": N_CALLS}


def _dumps(doc: Any) -> bytes:
    """JSON as Google writes it: `": "` after a key, no space after a comma."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ": ")).encode()


def _event(doc: dict) -> bytes:
    return b"data: " + _dumps(doc) + b"\r\n\r\n"


def _content(rng: random.Random, length: int) -> str:
    """A text of exactly ``length`` characters: words, non-ASCII, newlines and quotes."""
    words: list[str] = []
    size = 0
    while size < length:
        w = rng.choice(WORDS)
        r = rng.random()
        if r < 0.06:
            w += "\n"
        elif r < 0.09:
            w = '"' + w + '"'
        words.append(w)
        size += len(w) + 1
    return " ".join(words)[:length]


def make_stream(n_events: int, seed: int = 7, frag: tuple[int, int] = (2, 8)) -> tuple[bytes, dict]:
    """The body of a stream of exactly ``n_events`` SSE events, and what it should yield.

    Every chunk is a whole GenerateContentResponse with ``modelVersion``, ``responseId``
    and ``usageMetadata`` (running totals on the Gemini API; ``trafficType`` only on
    Vertex until the last chunk), CRLF-framed as Google sends it. ~10% of the events are
    text chunks of a few characters; the rest carry three calls to ``write_file`` &c. with
    arguments ``{"path", "content", "overwrite"}``:

    - ``streamed`` (Vertex AI, Gemini 3, ``streamFunctionCallArguments``): each call opens
      with ``{"name", "willContinue": true}`` (the first with a ``thoughtSignature``), then
      one ``partialArgs`` per chunk: ``$.path`` whole, ``$.content`` in ``frag``-sized
      string pieces with ``willContinue``, ``$.overwrite`` as a ``boolValue``; an empty
      ``functionCall`` closes it. The last chunk has ``finishReason: "STOP"`` and the usage.
    - ``whole`` (the Gemini API): text chunks only, ``frag``-sized pieces of the three
      calls' content as text too (so the events and bytes match the streamed form), then
      the three calls whole, the last in the ``STOP`` chunk.
    """
    rng = random.Random(seed)
    n_text = max(1, n_events // 10)
    n_frag = n_events - FRAMING[FORM] - n_text
    per_call = [n_frag // N_CALLS + (1 if i < n_frag % N_CALLS else 0) for i in range(N_CALLS)]
    if min(per_call) < 15:
        raise SystemExit(f"--sizes: {n_events} events is too few (at least 100)")
    model = MODEL[FORM]
    response_id = random_id(rng, 22)
    vertex = FORM == "streamed"
    running = {"trafficType": "ON_DEMAND"} if vertex else {"promptTokenCount": PROMPT_TOKENS,
                                                           "totalTokenCount": PROMPT_TOKENS + THOUGHT_TOKENS,
                                                           "thoughtsTokenCount": THOUGHT_TOKENS}
    meta = {"modelVersion": model, "responseId": response_id}
    if vertex:
        meta = {"modelVersion": model, "createTime": "2026-12-06T10:20:00.041233Z", "responseId": response_id}

    def chunk(parts: list, **cand: Any) -> bytes:
        return _event({"candidates": [{"content": {"parts": parts, "role": "model"}, **cand}],
                       "usageMetadata": running, **meta})

    out: list[bytes] = []
    pieces = [TEXT_PIECES[i % len(TEXT_PIECES)] for i in range(n_text)]
    texts = list(pieces)
    for piece in pieces:
        out.append(chunk([{"text": piece}]))
    calls = []
    whole_parts = []
    for c, count in enumerate(per_call):
        sizes = [rng.randint(*frag) for _ in range(count)]
        content = _content(rng, sum(sizes))
        args = {"path": f"src/pkg/module_{c}.py", "content": content, "overwrite": True}
        arguments = json.dumps(args, ensure_ascii=False, separators=(",", ":"))
        calls.append({"id": None, "name": TOOL_NAMES[c], "arguments": arguments})
        cuts, pos = [], 0
        for size in sizes:
            cuts.append(content[pos:pos + size])
            pos += size
        if vertex:
            opening: dict = {"functionCall": {"name": TOOL_NAMES[c], "willContinue": True}}
            if c == 0:
                opening["thoughtSignature"] = "Cv8B" + random_id(rng, 248)
            out.append(chunk([opening]))
            out.append(chunk([{"functionCall": {"partialArgs": [
                {"jsonPath": "$.path", "stringValue": args["path"]}], "willContinue": True}}]))
            for k, piece in enumerate(cuts):
                entry = {"jsonPath": "$.content", "stringValue": piece}
                if k < len(cuts) - 1:
                    entry["willContinue"] = True
                out.append(chunk([{"functionCall": {"partialArgs": [entry], "willContinue": True}}]))
            out.append(chunk([{"functionCall": {"partialArgs": [
                {"jsonPath": "$.overwrite", "boolValue": True}], "willContinue": True}}]))
            out.append(chunk([{"functionCall": {}}]))
        else:
            for piece in cuts:  # the same volume of events, as text
                out.append(chunk([{"text": piece}]))
                texts.append(piece)
            whole_parts.append({"functionCall": {"name": TOOL_NAMES[c], "args": args}})
    final_usage = {"promptTokenCount": PROMPT_TOKENS, "candidatesTokenCount": n_events,
                   "totalTokenCount": PROMPT_TOKENS + n_events + THOUGHT_TOKENS,
                   "thoughtsTokenCount": THOUGHT_TOKENS}
    if vertex:
        final_usage["trafficType"] = "ON_DEMAND"
        running = final_usage
        out.append(chunk([{"text": ""}], finishReason="STOP"))
    else:
        whole_parts[0]["thoughtSignature"] = "Cv8B" + random_id(rng, 248)
        for part in whole_parts[:-1]:
            out.append(chunk([part]))
        running = final_usage
        out.append(chunk([whole_parts[-1]], finishReason="STOP"))
    assert len(out) == n_events, (len(out), n_events)
    return b"".join(out), {"text": "".join(texts), "calls": calls, "finish_reason": "stop",
                           "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": n_events + THOUGHT_TOKENS}}


# ----------------------------------------------------------------------------------------
# Contenders. Each takes the list of reads and returns its result.
# ----------------------------------------------------------------------------------------

def run_kit(reads: list[bytes]) -> dict:
    """bytes -> kit.sse.SSEDecoder -> GeminiReference -> Plan (kit.replay.replay_reads)."""
    return replay_reads(API, reads).plan


def run_json(reads: list[bytes]) -> int:
    """The floor: json.loads of each event's data, nothing else (Google frames with CRLF)."""
    loads = json.loads
    n = 0
    for block in b"".join(reads).split(b"\r\n\r\n"):
        i = block.find(b"data: ")
        if i >= 0:
            loads(block[i + 6:])
            n += 1
    return n


run_kit_machine = machine_runner(GeminiReference)


if google is not None:
    # What `models._generate_content_stream` passes to the converters (no config: the kwargs
    # of `_from_response` are then empty, as for a plain call).
    _PARAMS = sdk_types._GenerateContentParameters(model="models/" + MODEL["streamed"], contents="Write the files.")


def _sdk_chunks(reads: list[bytes]) -> Any:
    """The SDK's per-chunk path, as `generate_content_stream` runs it, yielding the typed responses.

    Mirrors google/genai/_api_client.py `HttpResponse._iter_response_stream` (`_iter_sse_lines`,
    the `data: ` buffer, `_RawJsonLineBuffer` for non-SSE lines) and `segments()` (json.loads),
    `BaseApiClient.request_streamed` (json.dumps, the `{"error":` check, `SdkHttpResponse`),
    and google/genai/models.py `Models._generate_content_stream` (json.loads, the Vertex or
    Gemini API converter, `GenerateContentResponse._from_response`, `sdk_http_response`).
    """
    convert = sdk_models._GenerateContentResponse_from_vertex if FORM == "streamed" \
        else sdk_models._GenerateContentResponse_from_mldev
    from_response = sdk_types.GenerateContentResponse._from_response
    load = sdk_client.HttpResponse._load_json_from_response
    headers = {"content-type": "text/event-stream"}
    raw_buffer = sdk_client._RawJsonLineBuffer()
    data_buffer: list[str] = []

    def texts() -> Any:  # HttpResponse._iter_response_stream
        nonlocal data_buffer
        for line in sdk_client._iter_sse_lines(iter(reads)):
            if not line:
                if data_buffer:
                    yield "\n".join(data_buffer)
                    data_buffer = []
                continue
            if line.startswith("data: "):
                data_buffer.append(line[len("data: "):])
                continue
            got = raw_buffer.add_line(line)
            if got is not None:
                yield got
        remaining = raw_buffer.flush()
        if remaining:
            yield remaining
        if data_buffer:
            yield "\n".join(data_buffer)

    for text in texts():
        segment = load(text)  # segments()
        chunk_dump = json.dumps(segment)  # request_streamed
        if chunk_dump.startswith('{"error":'):
            chunk_json = json.loads(chunk_dump)
            sdk_errors.APIError.raise_error(chunk_json.get("error", {}).get("code"), chunk_json, None)
        response = sdk_types.HttpResponse(headers=headers, body=chunk_dump)
        response_dict = {} if not response.body else json.loads(response.body)  # models.py
        response_dict = convert(response_dict, None, _PARAMS)
        value = from_response(response=response_dict, kwargs={})
        value.sdk_http_response = sdk_types.HttpResponse(headers=response.headers)
        yield value


def run_sdk(reads: list[bytes]) -> dict:
    """The SDK's chunks, accumulated the way its user has to (it accumulates nothing itself)."""
    text: list[str] = []
    calls: list[dict] = []
    finish = usage = None
    for value in _sdk_chunks(reads):
        if value.usage_metadata is not None:
            usage = value.usage_metadata
        for cand in value.candidates or ():
            if cand.finish_reason is not None:
                finish = cand.finish_reason
            for part in (cand.content.parts if cand.content else None) or ():
                if part.text and not part.thought:
                    text.append(part.text)
                fc = part.function_call
                if fc is None:
                    continue
                if fc.name is not None:
                    calls.append({"id": fc.id, "name": fc.name, "args": dict(fc.args or {})})
                for arg in fc.partial_args or ():  # streamed: string pieces join per path
                    key = arg.json_path[2:]
                    args = calls[-1]["args"]
                    if arg.string_value is not None:
                        args[key] = args.get(key, "") + arg.string_value
                    elif arg.bool_value is not None:
                        args[key] = arg.bool_value
                    elif arg.number_value is not None:
                        args[key] = arg.number_value
    return {"text": "".join(text), "calls": calls, "finish": finish, "usage": usage}


def run_sdk_sse(reads: list[bytes]) -> int:
    """The SDK's SSE layer alone: `_iter_sse_lines` and the `data: ` buffer, no JSON."""
    n = 0
    data = False
    for line in sdk_client._iter_sse_lines(iter(reads)):
        if not line:
            n += data
            data = False
        elif line.startswith("data: "):
            data = True
    return n + data


# ----------------------------------------------------------------------------------------
# Checks: both accumulators must produce the same thing
# ----------------------------------------------------------------------------------------

def check_sdk(result: dict, plan: dict, kit_calls: list[dict]) -> None:
    """The SDK's accumulated chunks agree with the kit's Plan (text, calls, finish, usage)."""
    (choice,) = plan["choices"]
    does = [c for c in choice["commands"] if c["type"] == "DO"]
    require(result["text"] == "".join(c["text"] for c in choice["commands"] if c["type"] == "SAY"),
            "SDK and kit disagree on the text")
    require([{"id": c["id"], "name": c["name"], "args": c["args"]} for c in result["calls"]]
            == [{"id": c["call_id"], "name": c["action"], "args": c["parameters"]} for c in does],
            "SDK and kit disagree on the function calls")
    require([{"id": c["id"], "name": c["name"]} for c in kit_calls]
            == [{"id": c["id"], "name": c["name"]} for c in result["calls"]], "call ids / names")
    require(result["finish"] == sdk_types.FinishReason.STOP and choice["finish_reason"] == "stop",
            "SDK finish_reason / kit finish_reason")
    u = result["usage"]
    require(plan["usage"] == {"input_tokens": u.prompt_token_count,
                              "output_tokens": u.candidates_token_count + u.thoughts_token_count},
            "SDK and kit disagree on usage")


# ----------------------------------------------------------------------------------------

GOAL_FLOOR = 1.5  # the kit within 1.5x of the json.loads floor
GOAL_SDK = 10.0  # and at least 10x faster than the SDK's own parsing


def _with_gemini_budgets(print_table: Any) -> Any:
    """``_common.print_table``, then the Gemini budgets on the same rows."""

    def wrapped(sizes: list[int], rows: dict, work: dict, mem: dict) -> None:
        print_table(sizes, rows, work, mem)
        lines = []
        for label, num, den, goal, ok in (("kit/json", "kit", "json.loads", f"≤ {GOAL_FLOOR}×", lambda v: v <= GOAL_FLOOR),
                                          ("sdk/kit", "sdk", "kit", f"≥ {GOAL_SDK:g}×", lambda v: v >= GOAL_SDK)):
            if all(rows[n].get(num) and rows[n].get(den) for n in sizes):
                values = [rows[n][num][0] / rows[n][den][0] for n in sizes]
                cells = "  ".join(f"{n // 1000}k {v:.2f}×" for n, v in zip(sizes, values))
                lines.append(f"  {label:9s} {cells}   Gemini budget {goal}  {'PASS' if all(map(ok, values)) else 'FAIL'}")
        if lines:
            print(f"Gemini budgets ({FORM} form):")
            print("\n".join(lines))

    return wrapped


def bench() -> Bench:
    header = f"google-genai {google.genai.__version__}, form {FORM}" if google is not None \
        else f"google-genai not installed, skipped; form {FORM}"
    common = dict(prog="bench_gemini", doc=__doc__, api=API, sdk_name="google-genai", header=header,
                  make_stream=make_stream, check_kit=check_kit, run_kit=run_kit, run_json=run_json,
                  run_kit_machine=run_kit_machine)
    if google is not None:
        return Bench(**common, counts=lambda n: {"json.loads": n, "kit-sse": n, "sdk-sse": n},
                     agree="kit Plan and SDK chunks agree", run_sdk=run_sdk, run_sdk_sse=run_sdk_sse,
                     check_sdk=check_sdk)
    return Bench(**common, counts=lambda n: {"json.loads": n, "kit-sse": n}, agree="kit Plan checked",
                 sdk_missing="  (no sdk and sdk-sse contenders; to compare with the SDK: pip install google-genai)")


def main(argv: list[str] | None = None) -> int:
    global FORM
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--form" in argv:  # ours, not _common's
        i = argv.index("--form")
        if i + 1 >= len(argv) or argv[i + 1] not in ("streamed", "whole"):
            raise SystemExit("bench_gemini: --form streamed|whole")
        FORM = argv[i + 1]
        del argv[i:i + 2]
    _common.print_table = _with_gemini_budgets(_common.print_table)
    return run(bench(), argv)


if __name__ == "__main__":
    sys.exit(main())
