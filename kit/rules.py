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
PLAN = "plan"

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
       "A stream MUST NOT send events after `data: [DONE]`; whether a consumer ignores them (and reports them) or reads them is implementation-defined, but a second `[DONE]` MUST NOT break it.",
       "The sentinel is the documented end of the stream; the openai SDK stops reading there, the Vercel AI SDK "
       "reads on (a usage chunk a router sends after `[DONE]` is the response's own usage).",
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
    _r("chat-text-say", "MUST", "behaviour", CHAT,
       "A consumer MUST join a choice's `delta.content` strings in order and unchanged into its visible text: one SAY per run of text, a new one after a tool call.",
       "The baseline every stream relies on: text lost, reordered or split differently changes what the user is told.",
       OPENAI_CHAT_STREAM),
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
       "A continuation fragment SHOULD NOT carry an id different from its call's; a consumer keeps one call at that index, never joins or splits it over the ids, never lets a placeholder such as `\"null\"` replace the id, and reports the change; which of two real ids it keeps is implementation-defined.",
       "The Mistral-compatible GLM sends `\"null\"` on continuations, a placeholder that is no "
       "call's id; Poolside sends a new id from the second chunk on, and the report on its stream "
       "calls that later id the canonical one, so the first id (the reference's) and the last are "
       "both defensible.",
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
       "Each choice SHOULD end with a non-empty `finish_reason`; a consumer MUST NOT invent one for a stream that did not complete (the plan's finish is null); on a complete stream it may derive a normal one (`stop`, or `tool_calls` with calls), which is not graded.",
       "Snowflake Cortex and OpenRouter/Novita send none; openai-node throws, openai-python "
       "returns a completion with no done events.",
       gh("ranxianglei/billion-context-pi#92")),
    _r("chat-finish-reason-conflict", "SHOULD", "dialect", CHAT,
       "A choice's finish reason SHOULD agree with its content and come once; a consumer MUST keep and dispatch the choice's tool calls whatever finish reason it carries (the last non-empty one counts, and a conflict is reported).",
       "OpenAI itself (gpt-4o-mini, gpt-3.5-turbo), Gemini and vLLM send `stop` with tool calls; "
       "ChatMock and sglang send `tool_calls` then `stop`; agent loops that branch on the finish "
       "reason never run the tools, and the calls are lost.",
       gh("ENTERPILOT/GoModel#124"), gh("RayBytes/ChatMock#114"), gh("vllm-project/vllm#9209")),
    _r("chat-finish-reason-value", "SHOULD", "dialect", CHAT,
       "`finish_reason` SHOULD be one of the documented values; `\"\"` means none, `function_call` is `tool_calls`, other values are reported.",
       "Old Ollama sent `\"\"` on every chunk, which breaks enum decoders.",
       gh("ollama/ollama#4357")),
    _r("chat-finish-length", "MUST", "behaviour", CHAT,
       "A choice that ends with `finish_reason: \"length\"` is a valid, complete stream: a consumer MUST keep the text it produced and report the finish reason `length` (so the caller can continue or retry), and MUST NOT raise or drop the content.",
       "openai-python's `get_final_completion()` raises `LengthFinishReasonError` for a plain "
       "stream cut by `max_tokens`, and agent runs abort on it instead of continuing.",
       gh("openai/openai-python#3589"), gh("bytedance/deer-flow#474"), gh("UKGovernmentBEIS/inspect_ai#4552")),
    _r("chat-delta-after-finish", "SHOULD", "dialect", CHAT,
       "A stream SHOULD NOT send content for a choice after its `finish_reason`; a consumer keeps such text and new calls, and reports them.",
       "A dispatched call cannot take more arguments; later content is kept visible rather "
       "than silently dropped.",
       gh("RayBytes/ChatMock#114")),
    _r("chat-usage", "MUST", "info", CHAT,
       "A consumer MUST take usage from whichever chunk carries it (a later `null` does not erase it), and report none when no chunk carries it (never an invented zero).",
       "Usage comes in a `choices: []` chunk, on every chunk, second to last, or under "
       "`x_groq.usage`; openai-python overwrites it with a later null.",
       gh("BerriAI/litellm#17136"), gh("vercel/ai#1651"), gh("rashidrazak/opencode-cmd-provider#213")),
)


RESP = "openai.responses"
ANTH = "anthropic.messages"
OPENAI_RESP_STREAM = "https://platform.openai.com/docs/api-reference/responses-streaming"
ANTH_STREAM = "https://docs.anthropic.com/en/docs/build-with-claude/streaming"
ANTH_PTC = "https://platform.claude.com/docs/en/agents-and-tools/tool-use/programmatic-tool-calling"
ANTH_STOP_REASONS = "https://platform.claude.com/docs/en/api/handling-stop-reasons"
ANTH_SDK_TOOL_USE = "https://github.com/anthropics/anthropic-sdk-python/blob/main/src/anthropic/types/tool_use_block.py"
ANTH_SDK_ACCUMULATE = ("https://github.com/anthropics/anthropic-sdk-python/blob/main/"
                       "src/anthropic/lib/streaming/_messages.py")

GEM = "google.generate_content"
GEM_STREAM = "https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent"
GEM_RESPONSE = "https://ai.google.dev/api/generate-content#generatecontentresponse"
GEM_FINISH = "https://ai.google.dev/api/generate-content#FinishReason"
GEM_FUNCTIONS = "https://ai.google.dev/gemini-api/docs/function-calling"
GEM_FUNCTION_CALL = "https://ai.google.dev/api/caching#FunctionCall"
GEM_THINKING = "https://ai.google.dev/gemini-api/docs/thinking"
GEM_SIGNATURES = "https://ai.google.dev/gemini-api/docs/thought-signatures"
GEM_STREAMED_ARGS = ("https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/function-calling"
                     "#streaming-function-call-arguments")
GEM_PARTIAL_ARG = "https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Content#PartialArg"
GEM_ERRORS = "https://ai.google.dev/gemini-api/docs/troubleshooting"
GEM_USAGE = "https://ai.google.dev/api/generate-content#UsageMetadata"
GEM_CODE_EXECUTION = "https://ai.google.dev/gemini-api/docs/code-execution"
GEM_GROUNDING = "https://ai.google.dev/gemini-api/docs/google-search"

RULES += (
    # -- OpenAI Responses -----------------------------------------------------------------
    _r("resp-event-json", "MUST", "dialect", RESP,
       "Every `data` payload MUST be a JSON object with a string `type`; a consumer skips and reports any other payload.",
       "Semantic events are routed by `type`; a payload without one cannot be placed.",
       OPENAI_RESP_STREAM),
    _r("resp-event-name", "SHOULD", "dialect", RESP,
       "The SSE `event:` name SHOULD equal the payload's `type`; a consumer routes by `type` and MUST accept a stream without `event:` lines.",
       "OpenRouter sends data-only Responses streams; consumers that dispatch on the SSE event "
       "name see nothing.",
       OPENAI_RESP_STREAM, gh("earendil-works/pi#1983")),
    _r("resp-unknown-event", "SHOULD", "info", RESP,
       "A consumer SHOULD ignore event types it does not know, and keep them visible.",
       "New event types arrive every few months (59 in openai 3.54.0); failing on an unknown one "
       "breaks working code on the next model release.",
       OPENAI_RESP_STREAM),
    _r("resp-done-sentinel", "SHOULD", "info", RESP,
       "A Responses stream ends at its terminal event; a consumer MUST accept a trailing `data: [DONE]` and ignore it.",
       "OpenRouter and Chat-to-Responses bridges append the Chat Completions sentinel.",
       gh("BerriAI/litellm#22102")),
    _r("resp-lifecycle", "SHOULD", "dialect", RESP,
       "A stream SHOULD open with `response.created`; a consumer MUST NOT require it.",
       "LiteLLM's `/responses` started with `response.output_text.delta`; openai-python raises "
       "RuntimeError without `response.created`.",
       gh("BerriAI/litellm#22102")),
    _r("resp-item-added-missing", "SHOULD", "dialect", RESP,
       "An item's events SHOULD follow its `response.output_item.added` (and a text part's its `content_part.added`); a consumer MUST accept them without.",
       "Bridges drop the added events; Codex drops the deltas and openai-python raises.",
       gh("Wei-Shaw/sub2api#2875"), gh("ranxianglei/billion-context#62")),
    _r("resp-item-id-mismatch", "SHOULD", "dialect", RESP,
       "An event's `item_id` SHOULD match the item at its `output_index`; a consumer routes by `output_index` and reports a mismatch.",
       "Item ids rotate between events on some providers and are added late by others; "
       "routing by id loses the deltas.",
       gh("vllm-project/vllm#47916"), gh("Oaklight/llm-rosetta#86")),
    _r("resp-sequence-number", "SHOULD", "dialect", RESP,
       "`sequence_number` SHOULD rise by one per event; a consumer MUST NOT depend on it and reports gaps, repeats or its absence.",
       "Gateways omit it, default it to 0, or leave gaps where guardrails dropped events.",
       gh("onyx-dot-app/onyx#13624"), gh("BerriAI/litellm#28899"), gh("ENTERPILOT/GoModel#953")),
    _r("resp-arguments-source", "MUST", "behaviour", RESP,
       "A consumer MUST take a call's arguments from the first non-empty of `output_item.done`, `function_call_arguments.done`, the deltas joined and `output_item.added`; where the finished item contradicts another source (other arguments than the done event's, or `{}` beside arguments another source carried), which it takes is implementation-defined (`resp-arguments-mismatch`).",
       "Some servers send the arguments only in the item or the done event; accumulators that "
       "build them from deltas alone run the tool with empty input.",
       gh("greeves89/AI-Employee#285")),
    _r("resp-arguments-mismatch", "MUST", "dialect", RESP,
       "The final arguments SHOULD equal the joined deltas, and the finished item's those of `function_call_arguments.done`; a consumer uses the final value, not the deltas, and reports the difference; where the finished item contradicts another source (other arguments than the done event's, or `{}` beside arguments another source carried), it takes either (implementation-defined), for one call, never the two joined.",
       "A stray delta or a server-side rewrite makes the deltas differ from the final value, the "
       "one the server stands by. LM Studio contradicts itself: the arguments in the done event, "
       "`{}` in the finished item. The consumers that fixed it take the done event's; OpenAI's SDK "
       "maintainers send consumers to the function-call item, not the done event, for a call's "
       "name; the reference takes the first source that is neither empty nor `{}`.",
       gh("pydantic/pydantic-ai#5757"), gh("earendil-works/pi#917"), gh("openai/openai-python#3731")),
    _r("resp-delta-after-done", "MUST", "dialect", RESP,
       "A stream MUST NOT send argument or text deltas for an item after its `.done`; a consumer ignores and reports them.",
       "A non-conforming endpoint sent a stray `}` after `function_call_arguments.done` and "
       "pydantic-ai's arguments became `{...}}`.",
       gh("pydantic/pydantic-ai#5757"), gh("pydantic/pydantic-ai#4733")),
    _r("resp-call-incomplete", "MUST", "fault", RESP,
       "Every client tool call MUST have a `call_id` and a name by the time it is dispatched.",
       "The call id is what the tool result must reference; gpt-5.x and proxies sent empty "
       "names.",
       gh("router-for-me/CLIProxyAPI#1004"), gh("anomalyco/opencode#45081")),
    _r("resp-arguments-json", "MUST", "fault", RESP,
       "A function call's final arguments MUST be valid JSON; a consumer reports invalid arguments (parameters null) and never repairs them.",
       "As for Chat Completions: truncated or corrupted arguments must not be executed.",
       gh("cline/cline#13001")),
    _r("resp-dispatch-at-item-done", "MUST", "behaviour", RESP,
       "A consumer MUST dispatch a client tool call at its `output_item.done` (else when the response completes), never at `output_item.added`.",
       "A handler that runs the tool at `output_item.added` runs it with empty arguments.",
       gh("pydantic/pydantic-ai#5757")),
    _r("resp-message-say", "MUST", "behaviour", RESP,
       "A consumer MUST keep message items and tool calls in output order, each message item's text its own SAY, text taken from the deltas, else `output_text.done`, else the item.",
       "Text before and after a call, or in two message items, is two answers to the user, not one.",
       OPENAI_RESP_STREAM),
    _r("resp-text-mismatch", "SHOULD", "dialect", RESP,
       "The text in `output_text.done` or the finished item SHOULD equal the joined deltas; where they differ, a consumer keeps one of them whole (the deltas, as the reference does, or the final text: implementation-defined), never the two joined or both said, and reports the difference.",
       "A mismatch means a consumer that reads only one of them shows the user something else.",
       OPENAI_RESP_STREAM),
    _r("resp-refusal", "MUST", "behaviour", RESP,
       "A consumer MUST keep refusal parts apart from text: they are the choice's refusal, never a SAY.",
       "LiteLLM's Chat-to-Responses bridge drops `response.refusal.*`.",
       gh("BerriAI/litellm#39203")),
    _r("resp-reasoning", "SHOULD", "info", RESP,
       "A consumer MUST NOT show reasoning items (summary or reasoning text) as SAY text.",
       "Reasoning items take `output_index` slots next to messages and calls.",
       gh("BerriAI/litellm#21337")),
    _r("resp-server-tools", "MUST", "behaviour", RESP,
       "A consumer MUST NOT dispatch server-executed tools (web search, file search, code interpreter, image generation, MCP, tool search run by the server) as client calls; an `mcp_approval_request` is neither a call to run nor one that ran: it is listed with them (its tool's name), and the application answers it with an `mcp_approval_response` in its next request.",
       "They run on the provider's side; running them again, or waiting for a client result, "
       "breaks the turn. An approval request asks the user, not the client's tools.",
       gh("pydantic/pydantic-ai#7923"), "https://platform.openai.com/docs/guides/tools-remote-mcp"),
    _r("resp-tool-search-client", "MUST", "info", RESP,
       "A consumer MUST take a `tool_search_call` whose `execution` is `client` (the item's, else the declared tool-search tool's) as a DO: action `tool_search`, parameters its `arguments`, the call id of the finished item; with `execution: server` or none, the search ran on the server (`server_tools`), as did a `tool_search_output` in the stream (the client's answer is never in it).",
       "A tool-search tool declared with `execution: \"client\"` asks the client to search its deferred tools and "
       "answer with a `tool_search_output` in the next request. Filing every `tool_search_*` item as a server tool "
       "leaves a response whose only output is such a call with no DO and finish `stop`: the agent stalls.",
       "https://developers.openai.com/api/docs/guides/tools-tool-search",
       "https://github.com/openai/openai-python/blob/main/src/openai/types/responses/response_tool_search_call.py",
       "https://openai.github.io/openai-agents-js/openai/agents/functions/toolsearchtool"),
    _r("resp-server-run-call", "MUST", "info", RESP,
       "A consumer MUST NOT dispatch a call the server runs, decided at the earliest signal: a `shell_call` whose `environment` is a hosted container (any type but `local`; without one, when the declared shell tool's environment is a container), or a call whose output item (same `call_id`) came earlier in the response; it is a server tool. An output item after its call was dispatched does not take the DO back: the reference reports it, and whether a consumer that decides at the terminal event drops the DO is implementation-defined.",
       "A shell call in an OpenAI-hosted container is run by the server: its `shell_call_output` and the answer "
       "follow in the same response. Dispatching it runs the commands again where the container's files do not "
       "exist, and reports `tool_calls` for a finished answer.",
       "https://platform.openai.com/docs/guides/tools-shell",
       "https://github.com/openai/openai-python/blob/main/src/openai/types/responses/"
       "response_function_shell_tool_call.py"),
    _r("resp-custom-call-undeclared", "SHOULD", "dialect", RESP,
       "A `custom_tool_call` SHOULD name a tool the request declared; one naming no tool of the response's `tools` (a known, non-empty list without a tool search that could load more) is the provider's server tool: a consumer lists it in `server_tools`, never as DO, and reports it.",
       "xAI streams its X search sub-tools (`x_keyword_search`, `view_x_video`; call ids `xs_call_*`) as "
       "`custom_tool_call` items, followed by more searches and the answer in the same completed response; its "
       "docs say a client-side call pauses the response, and vercel/ai's xAI provider marks these calls "
       "provider-executed.",
       "https://docs.x.ai/docs/guides/tools/advanced-usage",
       "https://github.com/vercel/ai/blob/main/packages/xai/src/responses/xai-responses-language-model.ts",
       "https://github.com/vercel/ai/blob/main/packages/xai/src/responses/__fixtures__/xai-x-search-tool.chunks.txt"),
    _r("resp-malformed-item", "SHOULD", "dialect", RESP,
       "Items SHOULD have the documented shape (a message's `content` a list, a part's `text` a string); a consumer MUST tolerate `null` and missing fields.",
       "vLLM emitted a message item with `content: null`; pi crashed on it and never ran the "
       "following function call.",
       gh("earendil-works/pi#5819"), gh("makecindy/cindy#4509")),
    _r("resp-item-done-missing", "SHOULD", "dialect", RESP,
       "Every output item SHOULD end with `response.output_item.done`; a consumer completes open items at `response.completed` (or `.incomplete`) and reports it.",
       "Without the done event a consumer that dispatches only there never runs the tool; one "
       "that never completes the item loses its text.",
       OPENAI_RESP_STREAM),
    _r("resp-completed-output", "SHOULD", "dialect", RESP,
       "`response.completed` SHOULD carry the full `output`; a consumer MUST build the result from the streamed items when it is null or missing.",
       "Some compatible endpoints and a Codex outage sent `output: null`; older openai-python "
       "raised TypeError.",
       gh("NousResearch/hermes-agent#32914")),
    _r("resp-error", "MUST", "fault", RESP,
       "A consumer MUST report an `error` event (documented flat shape or observed nested shape) and `response.failed` as errors.",
       "openai-python raises on one error shape and passes the other through silently; the .NET "
       "SDK read nulls.",
       gh("openai/openai-dotnet#881"), gh("openai/openai-python#2487")),
    _r("resp-incomplete", "MUST", "info", RESP,
       "A consumer MUST report `response.incomplete` with its reason (`length` for `max_output_tokens`, `content_filter`), not as a completed turn.",
       "openai-python's `get_final_response()` raises after `response.incomplete`; others present "
       "a cut answer as complete.",
       OPENAI_RESP_STREAM),
    _r("resp-truncated", "MUST", "fault", RESP,
       "A stream that ends before a terminal event (`response.completed`, `.incomplete`, `.failed`, `error`) is truncated; a consumer MUST report it.",
       "A cut connection looks like a short answer.",
       gh("NousResearch/hermes-agent#32914")),
    _r("resp-after-terminal", "SHOULD", "dialect", RESP,
       "A stream SHOULD NOT send events after its terminal event; a consumer keeps late item completions and reports them.",
       "OpenRouter sends the reasoning item's done events after the message item and close to "
       "the end.",
       OPENAI_RESP_STREAM),
    _r("resp-usage", "MUST", "info", RESP,
       "A consumer MUST take usage from the terminal response.",
       "Usage is only in `response.completed` (or `.incomplete`/`.failed`).",
       OPENAI_RESP_STREAM),
    # -- Anthropic Messages ----------------------------------------------------------------
    _r("anth-event-json", "MUST", "dialect", ANTH,
       "Every `data` payload MUST be a JSON object with a string `type`; a consumer skips and reports any other payload.",
       "An older SDK JSON-decoded empty data from a proxy and failed.",
       gh("NousResearch/hermes-agent#35418")),
    _r("anth-event-name", "SHOULD", "dialect", ANTH,
       "The SSE `event:` name SHOULD equal the payload's `type`; a consumer routes by `type` and MUST accept a stream without `event:` lines.",
       "Anthropic-compatible proxies send data-only streams; both official SDKs dispatch on the "
       "event name and see nothing.",
       gh("earendil-works/pi#1983"), gh("openclaw/openclaw#37571"), gh("coder/coder#23587")),
    _r("anth-unknown-event", "SHOULD", "info", ANTH,
       "A consumer SHOULD ignore event, block and delta types it does not know, and keep them visible.",
       "New block types (compaction, fallback, MCP) arrive as betas.",
       ANTH_STREAM),
    _r("anth-ping", "MUST", "info", ANTH,
       "A consumer MUST ignore `ping` events, wherever they come.",
       "A ping can arrive between a block's start and its deltas.",
       ANTH_STREAM, gh("BerriAI/litellm#5063")),
    _r("anth-done-sentinel", "SHOULD", "info", ANTH,
       "An Anthropic stream ends at `message_stop`; a consumer MUST accept a trailing `data: [DONE]` and ignore it.",
       "A gateway (Azure APIM) appends the OpenAI sentinel.",
       gh("anthropics/anthropic-sdk-csharp#202")),
    _r("anth-message-start", "SHOULD", "dialect", ANTH,
       "A stream SHOULD open with `message_start`; a consumer MUST NOT drop the events that come before it.",
       "The Python SDK yields events before `message_start` without accumulating them.",
       ANTH_STREAM),
    _r("anth-block-index", "SHOULD", "dialect", ANTH,
       "Content block indexes SHOULD start at 0 and rise by one; a consumer keys blocks by `index` and MUST NOT use it as a list position.",
       "Proxies skip indexes (thinking at 0, tool_use at 2); the Python SDK raises IndexError.",
       gh("anthropics/anthropic-sdk-python#1192"), gh("jundot/omlx#1353")),
    _r("anth-block-not-started", "MUST", "dialect", ANTH,
       "A `content_block_delta` or `content_block_stop` MUST follow its block's `content_block_start`; a consumer keeps what it can (text) and reports it.",
       "A converter sent stops for blocks that never started.",
       gh("QuantumNous/new-api#5482")),
    _r("anth-delta-type", "SHOULD", "dialect", ANTH,
       "A delta SHOULD fit its block (`text_delta` for text, `input_json_delta` for tool use, ...); a consumer never applies one to a block of another kind (text into a tool's input, input JSON into text): it ignores it (as the reference does) or keeps it apart as what it is (implementation-defined), and reports it.",
       "Mixing them corrupts both the text and the tool input.",
       ANTH_STREAM),
    _r("anth-input-empty", "MUST", "info", ANTH,
       "A consumer MUST take a tool input of no or empty `partial_json` as `{}`.",
       "No-argument tools send `partial_json: \"\"`; the Java accumulator and LiteLLM failed to parse it.",
       gh("anthropics/anthropic-sdk-java#295"), gh("BerriAI/litellm#5063")),
    _r("anth-input-prefilled", "SHOULD", "dialect", ANTH,
       "A tool_use block the model writes SHOULD start with `input: {}` and stream its input (a call made by code execution, with a `caller` other than `direct`, comes whole in `content_block_start` as documented, and is not reported); a consumer uses a pre-filled `input` when no deltas follow, and the deltas when they do.",
       "Synthetic and proxy streams send the whole input in `content_block_start`; Claude Code "
       "ignored it and ran every call with `{}`. Anthropic sends a programmatic tool call that way.",
       gh("inflaborg/ccrelay#119"), gh("farion1231/cc-switch#2557"), ANTH_PTC),
    _r("anth-input-json", "MUST", "fault", ANTH,
       "A tool call's assembled input MUST be valid JSON; a consumer reports invalid input (parameters null) and never repairs it.",
       "Malformed partial JSON reached the SDK's parser as a raw error; per-fragment parsing "
       "swallowed errors and ran tools with `{}`.",
       gh("anthropics/anthropic-sdk-python#1265"), gh("bojieli/ai-agent-book#194")),
    _r("anth-tool-incomplete", "MUST", "fault", ANTH,
       "Every tool_use block MUST carry a non-empty `id` and `name`.",
       "A call without a name cannot be executed and one without an id cannot be answered.",
       ANTH_STREAM),
    _r("anth-dispatch-at-block-stop", "MUST", "behaviour", ANTH,
       "A consumer MUST dispatch a tool_use at its `content_block_stop` (the input is complete there), never at its start or on a partial parse.",
       "Parsing each fragment on its own gives `{}`; aggregate per index and parse at the stop.",
       gh("bojieli/ai-agent-book#194")),
    _r("anth-block-stop-missing", "SHOULD", "dialect", ANTH,
       "Every block SHOULD end with `content_block_stop`; a consumer ends open blocks at `message_delta` or `message_stop`, and reports it.",
       "Without the stop, a consumer that dispatches only there never runs the tool.",
       gh("headroomlabs-ai/headroom#2890")),
    _r("anth-text-say", "MUST", "behaviour", ANTH,
       "A consumer MUST make each text block's text a SAY in block order, with tool calls between them where they came.",
       "Text after a server tool or before a client tool is a separate answer.",
       ANTH_STREAM),
    _r("anth-thinking", "SHOULD", "info", ANTH,
       "A consumer MUST NOT show thinking or redacted_thinking blocks as SAY text.",
       "Thinking precedes the answer and the tool calls in extended-thinking streams.",
       ANTH_STREAM),
    _r("anth-server-tools", "MUST", "behaviour", ANTH,
       "A consumer MUST NOT dispatch `server_tool_use`, `mcp_tool_use`, any `*_tool_result` block (`mcp_tool_result` included) or `container_upload` as a client call, whatever their `caller`, also when a server call's result only comes in a later response.",
       "They run on Anthropic's side (the MCP connector runs MCP calls; a code execution call whose "
       "result is still missing at a `tool_use` stop is completed in the next response); only "
       "`tool_use` is for the client.",
       ANTH_STREAM, ANTH_STOP_REASONS),
    _r("anth-tool-use-client", "MUST", "behaviour", ANTH,
       "A consumer MUST take every `tool_use` block as a client call (DO) whatever its `caller`: one made by the code execution tool (`caller.type` `code_execution_*`, naming the server call in `tool_id`) is the client's to run and answer with a `tool_result` (the code waits on it); and whatever the message's stop reason (`pause_turn` included), the finish saying what the turn needs next.",
       "Programmatic tool calling: Claude's code calls the client's tools; the API stops with "
       "`tool_use` and resumes the code when the result comes back. A handler that takes a server "
       "caller to mean the server ran the call gives no DO, and the agent stalls.",
       ANTH_PTC, ANTH_SDK_TOOL_USE, ANTH_STOP_REASONS),
    _r("anth-message-start-content", "MUST", "info", ANTH,
       "A consumer MUST take the blocks of `message_start.message.content` as the message's first blocks, whole (streamed blocks continue after them, at index n): a `tool_use` there is a complete client call, dispatched there or at the latest at `message_stop`, text a SAY, server tools apart; and `message.stop_reason` is the finish unless a `message_delta` brings one.",
       "A programmatic tool calling continuation arrives as a `message_start` holding the next "
       "`tool_use` (its `caller` the code execution tool) and `stop_reason: \"tool_use\"`, then only "
       "`message_stop`. A consumer that reads only block events sees no call and no finish, and the "
       "waiting code never gets its result. Both official SDKs start their message from "
       "`message_start.message`; vercel/ai dispatches such calls at `message_start`.",
       ANTH_PTC, ANTH_STREAM, ANTH_SDK_ACCUMULATE, gh("vercel/ai#11262")),
    _r("anth-stop-reason", "SHOULD", "dialect", ANTH,
       "`stop_reason` SHOULD be a documented value; a consumer normalises it and reports any other.",
       "`pause_turn` and `refusal` change what the application must do next.",
       ANTH_STREAM),
    _r("anth-message-stop-missing", "SHOULD", "dialect", ANTH,
       "A stream SHOULD end with `message_stop`; after a `message_delta` with a stop reason, its absence is implementation-defined: a consumer accepts the finished message or reports the stream as cut, and never changes the message's content, finish or calls.",
       "Anthropic's docs end every stream with `message_stop`, and no server is known to leave it out; the Python SDK "
       "returns the message it has, the TypeScript SDK's `finalMessage()` rejects the stream. Both keep the "
       "answer intact; a stream that also lacks the stop reason is truncated (`anth-truncated`).",
       ANTH_STREAM),
    _r("anth-truncated", "MUST", "fault", ANTH,
       "A stream that ends before any stop reason (no `message_delta` with `stop_reason`, no error) is truncated; a consumer MUST report it.",
       "The Python SDK returns a message with `stop_reason=None`, silently.",
       gh("use-agent-os/agent-os#2137")),
    _r("anth-error", "MUST", "fault", ANTH,
       "A consumer MUST report an `error` event (e.g. `overloaded_error`) as an error, also when the stream then closes without `message_stop`.",
       "Anthropic sends the error and closes; consumers that wait for `message_stop` present a cut "
       "answer.",
       gh("use-agent-os/agent-os#2137"), gh("use-agent-os/agent-os#2271")),
    _r("anth-usage", "MUST", "info", ANTH,
       "A consumer MUST take usage from `message_start` and the cumulative `message_delta` usage, never adding them up.",
       "Usage values in `message_delta` are totals; adding them double-counts.",
       ANTH_STREAM),
    _r("anth-after-stop", "SHOULD", "dialect", ANTH,
       "A stream SHOULD NOT send events after `message_stop`; whether a consumer ignores them (and reports them) or reads them as the stream's continuation is implementation-defined.",
       "The message is complete at `message_stop` (the reference ignores what follows); no server is known to "
       "send more, and every client library graded reads on.",
       ANTH_STREAM),
    # -- Google Gemini (streamGenerateContent) ---------------------------------------------------
    _r("gem-data-json", "MUST", "dialect", GEM,
       "Every `data` payload MUST be a JSON object (a `GenerateContentResponse`, or `{\"error\": ...}`); a consumer skips and reports any other payload.",
       "A payload that is not an object cannot be placed; a consumer that raises on it loses the rest of the stream.",
       GEM_STREAM),
    _r("gem-done-sentinel", "SHOULD", "dialect", GEM,
       "A Gemini stream has no terminator; a consumer MUST accept a trailing `data: [DONE]` (OpenAI-style relays append one) and ignore it.",
       "Gemini ends the stream after the chunk that finishes the candidates; relays that speak OpenAI's framing "
       "add the Chat Completions sentinel, which is not JSON.",
       GEM_STREAM),
    _r("gem-unknown-field", "SHOULD", "info", GEM,
       "A consumer SHOULD ignore part kinds and fields it does not model (`inlineData`, `fileData`, new parts), and keep reading.",
       "New part kinds and candidate fields arrive with new models; failing on one breaks working code.",
       GEM_RESPONSE),
    _r("gem-candidate-index", "MUST", "info", GEM,
       "A consumer MUST key candidates by `index`, taking an absent `index` as 0 for the first candidate of a chunk (JSON omits a zero) and as its position otherwise.",
       "Vertex AI leaves out `index: 0`; consumers that require it drop the whole answer, and consumers that "
       "ignore it mix the candidates of `candidateCount > 1`.",
       GEM_RESPONSE),
    _r("gem-text-say", "MUST", "behaviour", GEM,
       "A consumer MUST join the text parts of a candidate, across chunks, into SAY runs in stream order (text after a call opens a new run); a `thought: true` part is never SAY.",
       "Each chunk holds a piece of text; consumers that keep only the last chunk, or the first part of each, "
       "lose text.",
       GEM_STREAM, GEM_THINKING),
    _r("gem-thought", "MUST", "info", GEM,
       "A consumer MUST keep thought parts (`thought: true`) out of the visible text, and MUST NOT show or drop a call because of its `thoughtSignature` (opaque, never text; a part may carry a signature alone).",
       "Thought summaries shown as answer text, and signatures lost between turns (the next request then fails "
       "validation on Gemini 3), are both reported against relays and SDK wrappers.",
       GEM_THINKING, GEM_SIGNATURES, gh("BerriAI/litellm#25869")),
    _r("gem-call-whole", "MUST", "behaviour", GEM,
       "A consumer MUST take each `functionCall` part as one complete call (its `args` an object), several parts in one chunk or in successive chunks as several calls in order, never merging two calls (also two calls of one tool) and never keeping only one.",
       "Gemini sends parallel calls as several parts of one chunk, or one per chunk; consumers keyed by part "
       "position or tool name merge them into invalid arguments, or keep only the last.",
       GEM_FUNCTIONS, gh("NousResearch/hermes-agent#57939"), gh("NousResearch/hermes-agent#101536"),
       gh("jeremychone/rust-genai#173"), gh("BerriAI/litellm#11999")),
    _r("gem-call-id", "MUST", "info", GEM,
       "A call's identity is its `functionCall.id` when present, else its position among its candidate's calls; a consumer MUST NOT require an id (the Gemini API often sends none) and MUST keep the id when there is one.",
       "Consumers that key calls by id alone merge every id-less call into one; consumers that drop the id "
       "break the function response that must carry it back.",
       GEM_FUNCTIONS, gh("NousResearch/hermes-agent#57939")),
    _r("gem-args-missing", "MUST", "info", GEM,
       "A `functionCall` without `args` is a call without arguments: a consumer MUST keep it, with parameters `{}`.",
       "`args` is optional in the FunctionCall schema; consumers that skip a call without it never run a "
       "no-argument tool.",
       GEM_FUNCTION_CALL, gh("vercel/ai#14968"), gh("JetBrains/koog#2146")),
    _r("gem-args-object", "SHOULD", "dialect", GEM,
       "`args` SHOULD be a JSON object; a consumer takes a string as the JSON text it holds (invalid JSON: parameters null, `invalid_arguments`), and reports it.",
       "Relays that translate OpenAI-style calls into Gemini's shape leave the arguments as the string they "
       "had; consumers that expect an object crash or pass the string on as a single value.",
       GEM_FUNCTION_CALL),
    _r("gem-partial-args", "MUST", "info", GEM,
       "A consumer MUST assemble a streamed call (`partialArgs` entries, each a `jsonPath` and one typed value; consecutive string values of one path appended while the entry says `willContinue`) into the arguments object, from the part that opens it (`name`, `willContinue: true`) to the part that ends it (no `willContinue`: an empty `functionCall`, or the last entries, also in the chunk that carries `finishReason`), and dispatch it there; a call still open when its candidate finishes `MAX_TOKENS` was cut off and MUST NOT be dispatched.",
       "Vertex AI streams the arguments of Gemini 3 calls when `streamFunctionCallArguments` is set; consumers "
       "that emit the call only on an empty closing part lose a call whose last entries close it.",
       GEM_STREAMED_ARGS, GEM_PARTIAL_ARG, gh("vercel/ai#14358"), gh("BerriAI/litellm#23815")),
    _r("gem-partial-args-path", "MUST", "fault", GEM,
       "A `partialArgs` entry whose `jsonPath` does not parse, that has no value or several, or that cannot be placed in what is assembled (a member of a string, an index into an object) makes the call's arguments invalid: a consumer MUST report it (parameters null, `invalid_arguments`), never run the call with a guess.",
       "A misplaced value silently changes the arguments a tool runs with.",
       GEM_PARTIAL_ARG, "https://www.rfc-editor.org/rfc/rfc9535"),
    _r("gem-call-orphan", "MUST", "fault", GEM,
       "A continuation part (no `name`, `partialArgs` or `willContinue`) or an empty `functionCall` with no open streamed call belongs to no call; a consumer MUST NOT make a call of it, and reports it.",
       "Arguments without their call cannot be run; inventing a call without a name runs nothing useful.",
       GEM_STREAMED_ARGS),
    _r("gem-call-unclosed", "SHOULD", "dialect", GEM,
       "A streamed call SHOULD end before its candidate finishes or another call begins; a consumer closes it there and dispatches it (reported). A call open when the candidate finishes `MAX_TOKENS` was cut off, as Google sends it: it is not dispatched (`gem-partial-args`).",
       "A relay that drops the closing part leaves the call open; consumers that wait for it lose the call.",
       GEM_STREAMED_ARGS, gh("vercel/ai#14358")),
    _r("gem-call-incomplete", "MUST", "fault", GEM,
       "A `functionCall` without a name cannot be run: a consumer MUST report it and MUST NOT run it; it stays in the Plan (action null) so that nothing is lost.",
       "The name is what the application dispatches on.",
       GEM_FUNCTION_CALL),
    _r("gem-dispatch", "MUST", "behaviour", GEM,
       "A consumer MUST dispatch a whole call where it arrives (or as late as its candidate's finish) and a streamed call at its last part, never a streamed call still open when the stream is cut, fails, or finishes `MAX_TOKENS`.",
       "A streamed call's arguments are complete only at its last part; running it earlier runs a partial "
       "object.",
       GEM_STREAMED_ARGS, GEM_FUNCTIONS),
    _r("gem-finish-reason", "SHOULD", "dialect", GEM,
       "`finishReason` SHOULD be a documented value; a consumer normalises it (`STOP` stop, `MAX_TOKENS` length, `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`, `LANGUAGE`, `MODEL_ARMOR` and the image ones content_filter, `MALFORMED_FUNCTION_CALL` and other unusable calls error, `OTHER` incomplete) and reports `FINISH_REASON_UNSPECIFIED` or any other value (finish null).",
       "The finish tells the application whether the answer is whole: a safety stop or a cut answer taken as "
       "complete misleads it.",
       GEM_FINISH),
    _r("gem-finish-stop-with-calls", "MUST", "info", GEM,
       "Gemini has no finish reason of its own for tool calls: a candidate that calls tools finishes `STOP`. A consumer MUST run the calls of a `STOP` candidate (it may report `tool_calls` or `stop`).",
       "Consumers ported from OpenAI look for a tool-call finish and stop the agent loop on `STOP`.",
       GEM_FINISH, GEM_FUNCTIONS),
    _r("gem-malformed-call", "MUST", "info", GEM,
       "A candidate that finishes `MALFORMED_FUNCTION_CALL` (or `UNEXPECTED_TOOL_CALL`, `TOO_MANY_TOOL_CALLS`, `MISSING_THOUGHT_SIGNATURE`, `MALFORMED_RESPONSE`) carries no usable call: a consumer MUST report the finish (error) and MUST NOT present the answer as a normal end.",
       "The candidate is often empty, with the reason only in `finishMessage`; consumers that read it as an "
       "empty normal answer end the turn silently.",
       GEM_FINISH),
    _r("gem-prompt-blocked", "MUST", "info", GEM,
       "A chunk with `promptFeedback.blockReason` and no candidates is a blocked prompt: a consumer MUST report it (finish content_filter), not an empty answer.",
       "A blocked prompt has no candidates at all; consumers that index `candidates[0]` crash, and others return "
       "nothing, silently.",
       GEM_RESPONSE),
    _r("gem-after-finish", "SHOULD", "dialect", GEM,
       "A stream SHOULD NOT send content for a candidate after its `finishReason`; a consumer keeps it (text and calls) and reports it.",
       "Relays that move the finish to its own chunk out of order leave content after it; dropping it loses the "
       "answer's end.",
       GEM_STREAM),
    _r("gem-error", "MUST", "fault", GEM,
       "A consumer MUST report an error payload inside the stream (`{\"error\": {\"code\", \"message\", \"status\"}}`, as a `data:` event or, as Google sends an error that interrupts a stream, pretty-printed over bare lines without `data:`) as an error, keep what came before, and not dispatch a streamed call still open.",
       "Errors such as `RESOURCE_EXHAUSTED` or `INTERNAL` can arrive after the stream started with status 200; "
       "consumers that only check the HTTP status present a cut answer as complete.",
       GEM_ERRORS, gh("googleapis/python-genai#1162"), gh("BerriAI/litellm#14747")),
    _r("gem-after-error", "SHOULD", "dialect", GEM,
       "A stream SHOULD end at an error payload; whether a consumer ignores what follows (and reports it) or reads on is implementation-defined.",
       "The answer failed at the error; nothing after it is known to be sent.",
       GEM_ERRORS),
    _r("gem-truncated", "MUST", "fault", GEM,
       "A stream that ends with a candidate that never finished (no `finishReason`), or with no candidate at all, is cut off: a consumer MUST report it and MUST NOT dispatch a streamed call still open.",
       "Gemini has no terminator, so the finish is the only sign that the answer is whole; consumers that treat "
       "the end of the body as the end of the answer accept a cut one.",
       GEM_STREAM),
    _r("gem-usage", "MUST", "info", GEM,
       "A consumer MUST take usage from the last `usageMetadata` (cumulative; a later chunk without it erases nothing): input `promptTokenCount`, output `candidatesTokenCount` plus `thoughtsTokenCount` (a count left out is 0: proto3 JSON omits zeros), never adding chunks up.",
       "`usageMetadata` comes on every chunk or on the last only, with totals; adding chunks up multiplies the "
       "count, and leaving the thought tokens out under-reports what the answer cost.",
       GEM_USAGE, gh("Routstr/routstr-core#543")),
    _r("gem-server-tools", "MUST", "behaviour", GEM,
       "Code execution parts (`executableCode`, `codeExecutionResult`) and Google Search or URL context grounding (`groundingMetadata`, `urlContextMetadata`) are tools the server ran: a consumer MUST NOT make a DO of them, nor show code or results as the answer's text.",
       "The model's code and its output come as parts of their own; consumers that read every part with a "
       "string field as text show the code to the user.",
       GEM_CODE_EXECUTION, GEM_GROUNDING),
    # -- any consumer (graded by `kit verify`, whatever the wire API) ----------------------------
    _r("plan-chunk-invariance", "MUST", "behaviour", PLAN,
       "A consumer's Plan MUST NOT depend on how the body was split into network reads.",
       "TCP and proxies cut streams anywhere: inside an event, a JSON value or a UTF-8 character. "
       "Handlers that parse per read lose or corrupt chunks only under some splits.",
       gh("Routstr/routstr-core#543"), gh("danielmiessler/Fabric#2203")),
    _r("plan-text-streamed", "SHOULD", "behaviour", PLAN,
       "A consumer SHOULD forward visible text as it arrives: before it reads input that completes another SSE event.",
       "Streaming exists so the user sees text early; a handler that buffers text until the end is a "
       "non-streaming handler with extra steps (verdict NONSTRICT).",
       OPENAI_CHAT_STREAM),
    _r("plan-dispatch-complete", "MUST", "behaviour", PLAN,
       "A consumer MUST dispatch a tool call only with its complete arguments, never at a point where they are "
       "partial or empty.",
       "Running a tool at `response.output_item.added`, at `content_block_start` or on an index switch runs "
       "it with empty or truncated input.",
       gh("vercel/ai#13137"), gh("openai/openai-ruby#638")),
    _r("plan-dispatch-once", "MUST", "behaviour", PLAN,
       "A consumer MUST dispatch each tool call exactly once.",
       "A call dispatched at its finish and again at `[DONE]` (or at the item and the response end) runs "
       "a side-effecting tool twice.",
       gh("vercel/ai#13137")),
    _r("plan-dispatch-timely", "SHOULD", "behaviour", PLAN,
       "A consumer SHOULD dispatch a tool call no later than the end of its choice, not only at the end of the stream.",
       "Usage chunks, keep-alives and late `[DONE]` can follow the finish by seconds; an agent waiting for "
       "the end of the stream waits for nothing (verdict NONSTRICT).",
       OPENAI_CHAT_TOOLS),
    _r("plan-fault-reported", "MUST", "behaviour", PLAN,
       "A consumer MUST report a broken stream (truncated, in-band error, invalid arguments) as an error, "
       "never turn it silently into a plan.",
       "A truncated call executed as if complete, or an error swallowed into an empty answer, is the worst "
       "failure of a stream handler: it looks like success.",
       gh("cline/cline#13001"), gh("vellum-ai/vellum-assistant#34574")),
    _r("plan-protocol", "MUST", "behaviour", PLAN,
       "An adapter MUST answer in the kit's protocol: a Plan document or output events "
       "(`schemas/protocol.schema.json`).",
       "Output the kit cannot read cannot be graded; it is reported as ERROR, with the line that broke the "
       "protocol.",
       "https://json-schema.org/draft/2020-12/json-schema-core"),
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
