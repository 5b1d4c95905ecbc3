"""The rule catalogue: every requirement the kit checks, with a stable id.

A rule is phrased as a requirement on the code that consumes a stream ("a consumer
MUST ..."). The same id is used when a stream *exercises* the rule: the reference
records a :class:`Diagnostic` citing it, so ``kit lint`` can say which documented
contract a stream departs from, and verdicts can say which rule an implementation broke.

Each rule has a *kind*, which decides the severity of its diagnostics:

- ``fault``: the stream is broken (truncated, invalid JSON arguments, an in-band
  error). Always an ``error``: an implementation must report it, never turn it
  silently into a plan.
- ``dialect``: the stream departs from the documented contract in a way real
  providers do and the lenient profile tolerates. A ``warning`` under the
  lenient profile, an ``error`` under the strict profile.
- ``info``: a documented but easily mishandled behaviour (usage-only chunks,
  comments, multi-line data) or something merely worth knowing. Always ``info``.
- ``behaviour``: a requirement on the consumer that no stream can violate by itself
  (dispatch timing, text runs). It has no diagnostics; traces and verdicts cite it.

Ids are stable: once published, an id is never reused for another meaning.
``conformance.md`` is generated from this table (``kit docs``) and a test checks
that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["MUST", "SHOULD"]
Kind = Literal["fault", "dialect", "info", "behaviour"]
Severity = Literal["error", "warning", "info"]
Profile = Literal["lenient", "strict"]

PROFILES: tuple[str, ...] = ("lenient", "strict")


def gh(ref: str) -> str:
    """``owner/repo#N`` -> the GitHub URL of that issue or pull request."""
    repo, _, number = ref.partition("#")
    return f"https://github.com/{repo}/issues/{number}"


WHATWG_SSE = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation"
OPENAI_CHAT_STREAM = "https://platform.openai.com/docs/api-reference/chat-streaming/streaming"
OPENAI_CHAT_TOOLS = "https://platform.openai.com/docs/guides/function-calling#streaming"
AZURE_FILTER = "https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter"


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    kind: Kind
    api: str  # "sse", "openai.chat.completions", ...
    requirement: str
    rationale: str
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def severity(self, profile: str = "lenient") -> Severity:
        if self.kind == "fault":
            return "error"
        if self.kind == "dialect":
            return "error" if profile == "strict" else "warning"
        return "info"


@dataclass(frozen=True)
class Diagnostic:
    """One observation about a stream: which rule, how bad, where.

    ``event`` is the 0-based number of the SSE event (``None`` for the framing
    layer before any event, or for the end of the stream), ``offset`` the byte
    offset in the body.
    """

    rule: str
    severity: Severity
    message: str
    event: int | None = None
    offset: int | None = None
    state: str | None = None

    def where(self) -> str:
        parts = []
        if self.event is not None:
            parts.append(f"event {self.event}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts) or "end of stream"

    def __str__(self) -> str:
        state = f" (state {self.state})" if self.state else ""
        return f"{self.severity}: {self.where()}: {self.message}{state}; rule {self.rule}"

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "event": self.event,
            "offset": self.offset,
            "state": self.state,
        }


def _r(id, level, kind, api, requirement, rationale, *evidence) -> Rule:
    return Rule(id, level, kind, api, requirement, rationale, tuple(evidence))


CHAT = "openai.chat.completions"

RULES: tuple[Rule, ...] = (
    # -- SSE framing -------------------------------------------------------------------
    _r("sse-line-endings", "MUST", "info", "sse",
       "A consumer MUST end lines at CR, LF or CRLF, including a CRLF split across two reads.",
       "The event-stream grammar allows all three line ends; a parser that splits on LF only "
       "keeps a stray CR in every value, and one that handles CRLF only inside one read breaks "
       "when the network splits it.",
       WHATWG_SSE, gh("openai/openai-python#498")),
    _r("sse-bom", "MUST", "info", "sse",
       "A consumer MUST strip one leading UTF-8 byte order mark before parsing the first line.",
       "With the BOM kept, the first field name is not `data` and the first event is lost "
       "(openai-python's decoder does not strip it).",
       WHATWG_SSE),
    _r("sse-comments", "MUST", "info", "sse",
       "A consumer MUST ignore comment lines (starting with `:`), which providers send as keep-alives.",
       "OpenRouter sends `: OPENROUTER PROCESSING` and llama.cpp-style servers send pings; "
       "parsers that JSON-decode every non-empty line fail on them.",
       WHATWG_SSE, gh("tmc/langchaingo#631"), gh("brainlid/langchain#569")),
    _r("sse-field-space", "MUST", "info", "sse",
       "A consumer MUST accept a field with or without one space after the colon, removing exactly one.",
       "Spring-based proxies and several providers send `data:{...}`; a prefix check on "
       "`data: ` silently skips every event.",
       WHATWG_SSE, gh("openai/openai-python#498"), gh("davidmigloz/langchain_dart#778")),
    _r("sse-multiline-data", "MUST", "info", "sse",
       "A consumer MUST join the `data` lines of one event with LF and dispatch only at the blank line.",
       "JSON split over several `data:` lines, or over several network reads, must be "
       "reassembled before it is decoded.",
       WHATWG_SSE, gh("Routstr/routstr-core#543")),
    _r("sse-utf8-split", "MUST", "info", "sse",
       "A consumer MUST decode UTF-8 after splitting lines, so a character split across reads survives.",
       "Decoding each network read on its own turns CJK text and emoji into U+FFFD when a read "
       "boundary falls inside a character.",
       gh("api7/aisix#111"), gh("danielmiessler/Fabric#2203"), gh("musistudio/claude-code-router#1672")),
    _r("sse-utf8-invalid", "MUST", "fault", "sse",
       "A stream MUST be valid UTF-8; a consumer MUST report invalid bytes, not crash on them.",
       "The event-stream format is always UTF-8; the reference decodes invalid bytes as U+FFFD "
       "and reports where they were.",
       WHATWG_SSE),
    _r("sse-final-event-unterminated", "SHOULD", "dialect", "sse",
       "A stream SHOULD end each event with a blank line; a consumer SHOULD still use a final event that lacks one, and say so.",
       "The specification discards an unterminated final event, which silently loses the "
       "finish reason or usage chunk; the lenient profile dispatches it with this diagnostic, "
       "the strict profile follows the specification.",
       WHATWG_SSE),
    _r("sse-unknown-field", "SHOULD", "dialect", "sse",
       "A stream SHOULD contain only `data`, `event`, `id`, `retry` fields and comments; a consumer MUST ignore any other line.",
       "A line such as ` data: {...}` (leading space) is a field named ` data` and is ignored "
       "by a conforming parser; the event it carried is lost, and this diagnostic says so.",
       WHATWG_SSE),
    _r("sse-event-without-data", "MUST", "info", "sse",
       "A consumer MUST NOT dispatch an event whose data buffer is empty (e.g. a lone `retry:` or `event:` block).",
       "openai-python dispatches such blocks and then fails to JSON-decode the empty data.",
       WHATWG_SSE, gh("openai/openai-python#2722")),
    # -- Chat Completions: envelope -----------------------------------------------------
    _r("chat-data-json", "MUST", "dialect", CHAT,
       "Every `data` payload other than `[DONE]` MUST be a JSON object; a consumer MUST skip and report any other payload.",
       "Keep-alives such as `data: keep-alive` and empty-data events make naive consumers "
       "raise JSONDecodeError and lose the rest of the stream.",
       gh("openai/codex#8708"), gh("NousResearch/hermes-agent#35418")),
    _r("chat-done-sentinel", "SHOULD", "dialect", CHAT,
       "A stream SHOULD end with `data: [DONE]`; a consumer MUST NOT need it when every choice has finished.",
       "ik_llama.cpp, vllm-mlx and OCI Cohere omit the sentinel; consumers that wait for it "
       "hang or report a truncated stream.",
       OPENAI_CHAT_STREAM, gh("waybarrios/vllm-mlx#101"), gh("ikawrakow/ik_llama.cpp#467")),
    _r("chat-after-done", "MUST", "dialect", CHAT,
       "A stream MUST NOT send events after `data: [DONE]`; a consumer ignores them and reports them.",
       "The sentinel is the documented end of the stream; the openai SDK stops reading there.",
       OPENAI_CHAT_STREAM),
    _r("chat-truncated", "MUST", "fault", CHAT,
       "A stream that ends with a choice unfinished and no `[DONE]` is truncated; a consumer MUST report it, never present it as a complete plan.",
       "A cut connection looks like a short answer; tools run with half their arguments "
       "(cline ran a repaired truncated call).",
       gh("cline/cline#13001"), gh("ranxianglei/billion-context-pi#92")),
    _r("chat-chunk-object", "SHOULD", "dialect", CHAT,
       "Each chunk SHOULD have `object: \"chat.completion.chunk\"`; a consumer MUST NOT drop a chunk whose `object` is missing or different.",
       "Foundry Local, TensorRT-Edge-LLM and early Mistral send other values; the openai SDK's "
       "stream helper silently drops those chunks and loses their text.",
       gh("microsoft/foundry-local#31"), gh("NVIDIA/TensorRT-Edge-LLM#93"), gh("mistralai/client-python#16")),
    _r("chat-empty-choices", "MUST", "info", CHAT,
       "A consumer MUST accept chunks with `choices: []` (Azure prompt-filter results, usage-only chunks).",
       "`chunk.choices[0]` raises IndexError on Azure's first chunk and on the usage chunk of "
       "`stream_options.include_usage`.",
       AZURE_FILTER, gh("pydantic/logfire#64"), gh("meilisearch/meilisearch#6477"), gh("Arthur-Ficial/apfel#100")),
    _r("chat-choice-without-delta", "SHOULD", "dialect", CHAT,
       "A choice SHOULD carry a `delta`; a consumer MUST accept a choice without one (Azure content-filter annotations).",
       "`choice.delta.tool_calls` raises AttributeError on Azure's asynchronous filter chunks.",
       AZURE_FILTER, gh("microsoft/semantic-kernel#7250"), gh("BerriAI/litellm#3811")),
    _r("chat-choice-index", "MUST", "dialect", CHAT,
       "Each choice MUST carry its `index`; a consumer keeps choices apart by that index (a missing index is taken as 0, and reported).",
       "With `n > 1` the choices of one stream interleave; merging them mixes their texts and "
       "tool calls.",
       gh("QuantumNous/new-api#6924"), gh("BerriAI/litellm#8977")),
    _r("chat-multiple-choices", "MUST", "info", CHAT,
       "A consumer MUST accumulate each choice (`n > 1`) on its own, by choice index, whatever order the indexes arrive in.",
       "openai-python raises IndexError when the first chunk carries choice 1; new-api merged "
       "tool calls across choices.",
       gh("QuantumNous/new-api#6924"), gh("BerriAI/litellm#18796")),
    _r("chat-in-band-error", "MUST", "fault", CHAT,
       "A consumer MUST report an error object sent inside the stream (a chunk with `error`, or an `event: error`) as an error.",
       "OpenRouter and Groq report upstream failures after HTTP 200 inside the stream; "
       "consumers that read only `choices` present a truncated answer as a success.",
       gh("damianvtran/local-operator#223"), gh("Menci/Floway#330")),
    _r("chat-unknown-event", "SHOULD", "info", CHAT,
       "A consumer SHOULD ignore SSE event names it does not know (other than `error`), and keep them visible.",
       "Chat Completions streams carry no event names; gateways add them.",
       OPENAI_CHAT_STREAM),
    # -- Chat Completions: text ---------------------------------------------------------
    _r("chat-content-parts", "SHOULD", "dialect", CHAT,
       "`delta.content` SHOULD be a string; a consumer MUST take the `text` parts of a list as text and its `thinking` parts as reasoning.",
       "Mistral's Magistral sends reasoning as a list of thinking parts inside `content`, then "
       "the answer as strings.",
       gh("mistralai/client-python#16")),
    _r("chat-text-after-tool", "MUST", "behaviour", CHAT,
       "A consumer MUST keep text that follows a tool call as a new SAY after that DO, never merged into the text before it.",
       "sglang/Qwen3, Groq, Mistral and LFM2 send text after a tool call; pydantic-ai appended "
       "it to the ended part and openai-python's `content.done` carries only the first run.",
       gh("pydantic/pydantic-ai#8208"), gh("vllm-project/vllm#39243")),
    _r("chat-content-and-tools-same-delta", "MUST", "info", CHAT,
       "A consumer MUST keep both the text and the tool calls of a delta that carries both (text first).",
       "LiteLLM's Ollama and Gemini builders produce such deltas; open-interpreter and vllm-mlx "
       "dropped the text.",
       gh("endolith/open-interpreter#316"), gh("waybarrios/vllm-mlx#690")),
    _r("chat-empty-tool-calls", "MUST", "info", CHAT,
       "A consumer MUST treat `tool_calls: []` (or `null`) as no tool call and keep the delta's text.",
       "vLLM, Groq and Foundry Local send an empty list on every content delta; VS Code "
       "Copilot Chat treated it as a tool call and dropped every text delta.",
       gh("microsoft/vscode#330038"), gh("Portkey-AI/gateway#1338")),
    _r("chat-refusal", "MUST", "behaviour", CHAT,
       "A consumer MUST keep `delta.refusal` apart from text: it is the choice's refusal, never a SAY.",
       "LangChain dropped streamed refusals; langchain4j had no field for them.",
       gh("langchain-ai/langchain#39747"), gh("langchain4j/langchain4j#5814")),
    _r("chat-reasoning", "SHOULD", "info", CHAT,
       "A consumer MUST NOT show reasoning fields (`reasoning_content`, `reasoning`, `reasoning_details`) as SAY text.",
       "DeepSeek, Qwen, gpt-oss providers and OpenRouter stream reasoning in vendor fields "
       "next to `content`.",
       gh("vercel/ai#7866")),
    # -- Chat Completions: tool calls ---------------------------------------------------
    _r("chat-tool-index-missing", "MUST", "dialect", CHAT,
       "Each tool-call fragment MUST carry `index`; a consumer routes one without it by its id, else to the last open call.",
       "Gemini's OpenAI endpoint, older Ollama, Xinference and mistral.rs omit it; openai-python "
       "raises TypeError on `tool_calls[None]`.",
       gh("openai/openai-python#2806"), gh("AstrBotDevs/AstrBot#6661"), gh("SamSaffron/term-llm#314")),
    _r("chat-tool-index-dense", "SHOULD", "dialect", CHAT,
       "Tool-call indexes SHOULD start at 0 and rise by 1 per new call; a consumer MUST NOT use them as list positions.",
       "Gateways that pass Anthropic block indexes start at 1; openai-python then raises "
       "IndexError.",
       gh("NVIDIA-NeMo/Switchyard#712"), gh("microsoft/foundry-local#372"), gh("aws-samples/bedrock-access-gateway#134")),
    _r("chat-tool-index-reused", "MUST", "dialect", CHAT,
       "A fragment at an index already in use that brings a new id and a name starts a new call; a consumer MUST NOT merge it into the old one.",
       "Ollama, Gemini converters and Responses-to-Chat bridges send every parallel call at "
       "index 0; index-keyed accumulators produce `call_acall_b` and `{...}{...}`.",
       gh("ollama/ollama#15457"), gh("BerriAI/litellm#21337"), gh("langchain-ai/langchain#34807")),
    _r("chat-tool-header-once", "SHOULD", "dialect", CHAT,
       "`id`, `type` and `function.name` SHOULD come once, on a call's first fragment; a consumer MUST set them once and never append a repeat.",
       "Fireworks, DeepSeek, Qwen, MiniMax and llama.cpp repeat them on every fragment; "
       "openai-python turns them into `call_1call_1` and `read_fileread_file`.",
       gh("BerriAI/litellm#8990"), gh("NousResearch/hermes-agent#12230"), gh("ggml-org/llama.cpp#12379")),
    _r("chat-tool-id-conflict", "SHOULD", "dialect", CHAT,
       "A continuation fragment SHOULD NOT carry an id different from its call's; a consumer keeps the first id (the later one is a placeholder) and reports it.",
       "Poolside changes the id after the first chunk; the Mistral-compatible GLM sends "
       "`\"null\"` on continuations.",
       gh("poolsideai/pool#9"), gh("langchain-ai/langchainjs#11373")),
    _r("chat-tool-name-conflict", "SHOULD", "dialect", CHAT,
       "A continuation fragment SHOULD NOT carry a name different from its call's; a consumer keeps the first name and reports it.",
       "Names set once cannot be half-appended; a differing later name is either a split name "
       "or a new call without an id, and the consumer must not guess silently.",
       gh("continuedev/continue#5849"), gh("vercel/ai#16507")),
    _r("chat-tool-call-incomplete", "MUST", "fault", CHAT,
       "Every tool call MUST have a non-empty id and name by the time it is dispatched.",
       "A DO without a name cannot be executed and one without an id cannot be answered; "
       "LM Studio and vLLM variants send `\"\"` names.",
       gh("lmstudio-ai/lmstudio-bug-tracker#649"), gh("vercel/ai#16507")),
    _r("chat-tool-fragment-shape", "SHOULD", "dialect", CHAT,
       "A tool-call fragment SHOULD carry `type: \"function\"` (first fragment) and a `function` object; a consumer MUST accept fragments where they are missing or null.",
       "Gemini sends metadata-only fragments; continuations with `type: null` make openai-python "
       "raise a bare AssertionError, and a missing `type` silences its tool events.",
       gh("open-webui/computer#224"), gh("run-llama/llama_index#17927")),
    _r("chat-arguments-string", "MUST", "dialect", CHAT,
       "`function.arguments` MUST be a string; a consumer takes a JSON object as that value and ignores `null`.",
       "llama-server, MiniMax and Ollama send objects (JavaScript turns them into "
       "`[object Object]`); DeepSeek via OpenRouter and vLLM send `null` first.",
       gh("ggml-org/llama.cpp#20198"), gh("can1357/oh-my-pi#1779"), gh("shiaho777/web-to-app#395")),
    _r("chat-arguments-empty", "MUST", "info", CHAT,
       "A consumer MUST take empty (or whitespace-only) final arguments as `{}`.",
       "No-parameter tools stream `\"\"`; `json.loads(\"\")` and `JSON.parse(\"\")` fail.",
       gh("openai/openai-agents-js#664"), gh("vllm-project/vllm#19419"), gh("pydantic/pydantic-ai#1654")),
    _r("chat-arguments-json", "MUST", "fault", CHAT,
       "A call's final arguments MUST be valid JSON; a consumer MUST report invalid arguments (parameters null) and never repair or execute them.",
       "Truncated or server-corrupted arguments were silently repaired and executed (cline, "
       "vellum); the vLLM xlam parser duplicated them.",
       gh("cline/cline#13001"), gh("vellum-ai/vellum-assistant#34574"), gh("vllm-project/vllm#51697")),
    _r("chat-dispatch-at-finish", "MUST", "behaviour", CHAT,
       "A consumer MUST dispatch a tool call only when its choice finishes (its `finish_reason`, else `[DONE]`), never on an index switch or because the partial arguments parse, and never from a truncated or failed stream.",
       "The Vercel AI SDK ran tools with truncated inputs that happened to parse (VULN-6861); "
       "openai-python emits `arguments.done` with empty arguments on an index switch.",
       gh("vercel/ai#13137"), gh("openai/openai-ruby#638")),
    _r("chat-interleaved-fragments", "MUST", "info", CHAT,
       "A consumer MUST route interleaved fragments of parallel calls (0,1,0,1) to their own calls.",
       "openai-python, openai-ruby, Continue and Qwen-Agent attached fragments to the wrong call "
       "or closed calls early.",
       gh("openai/openai-ruby#638"), gh("continuedev/continue#13223"), gh("QwenLM/Qwen-Agent#943")),
    # -- Chat Completions: finish and usage ---------------------------------------------
    _r("chat-finish-reason-missing", "SHOULD", "dialect", CHAT,
       "Each choice SHOULD end with a non-empty `finish_reason`; a consumer MUST NOT invent one (the plan's finish is null).",
       "Snowflake Cortex and OpenRouter/Novita send none; openai-node throws, openai-python "
       "returns a completion with no done events.",
       gh("ranxianglei/billion-context-pi#92")),
    _r("chat-finish-reason-conflict", "SHOULD", "dialect", CHAT,
       "A choice's finish reason SHOULD agree with its content and come once; the last non-empty one counts and a conflict is reported.",
       "gpt-4o, Gemini and vLLM send `stop` with tool calls; ChatMock and sglang send "
       "`tool_calls` then `stop`, and agent loops that branch on it never run the tools.",
       gh("ENTERPILOT/GoModel#124"), gh("RayBytes/ChatMock#114"), gh("vllm-project/vllm#9209")),
    _r("chat-finish-reason-value", "SHOULD", "dialect", CHAT,
       "`finish_reason` SHOULD be one of the documented values; `\"\"` means none, `function_call` is `tool_calls`, other values are reported.",
       "Old Ollama sent `\"\"` on every chunk, which breaks enum decoders.",
       gh("ollama/ollama#4357")),
    _r("chat-delta-after-finish", "SHOULD", "dialect", CHAT,
       "A stream SHOULD NOT send content for a choice after its `finish_reason`; a consumer keeps such text and new calls, and reports them.",
       "A dispatched call cannot take more arguments; later content is kept visible rather "
       "than silently dropped.",
       gh("RayBytes/ChatMock#114")),
    _r("chat-usage", "MUST", "info", CHAT,
       "A consumer MUST take usage from whichever chunk carries it (a later `null` does not erase it).",
       "Usage comes in a `choices: []` chunk, on every chunk, second to last, or under "
       "`x_groq.usage`; openai-python overwrites it with a later null.",
       gh("BerriAI/litellm#17136"), gh("vercel/ai#1651"), gh("rashidrazak/opencode-cmd-provider#213")),
)

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def get(rule_id: str) -> Rule:
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:  # a typo in the kit itself: fail loudly in tests
        raise KeyError(f"unknown rule id {rule_id!r}") from None


def diagnostic(rule_id: str, message: str, *, profile: str = "lenient", event: int | None = None,
               offset: int | None = None, state: str | None = None) -> Diagnostic:
    return Diagnostic(rule_id, get(rule_id).severity(profile), message, event, offset, state)
