"""The dialect registry: the named ways compatible servers depart from a provider's contract.

A trace of the corpus is either the provider's **contract** (what OpenAI's or Anthropic's own
documentation says the stream of that API may contain, or a recording of the provider itself)
or a **dialect**: a stream that needs something that documentation does not allow (a field
missing or of another type, events out of the documented order, framing the provider never
uses, vendor fields), as compatible servers, gateways and relays send it (Ollama, vLLM, Azure,
OpenRouter, LiteLLM, DeepSeek, ...). A trace names its dialect in its top-level ``"dialect"``
field; no field means contract (``conformance.md`` §3, "Contract and dialect").

Each entry says who sends it, how it departs from the contract (one sentence), where that is
documented (issues, docs: the links the corpus's traces and the research notes cite), and which
rules of the catalogue it exercises. Ids are stable kebab-case slugs: once published, never
reused for another meaning. ``kit dialects`` lists the registry with the traces that carry
each entry; a test checks that every entry is carried by a trace and has evidence.

A verdict on a dialect trace means the same as on any other, with one difference the report
makes: silent data loss or corruption is FAIL on any trace, while a crash or a clean refusal
on a dialect stream is a *dialect incompatibility*, reported apart from contract failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Dialect", "DIALECTS", "DIALECTS_BY_ID", "dialect_of", "get"]


def _gh(ref: str) -> str:
    """``owner/repo#N`` -> the GitHub URL of that issue or pull request."""
    repo, _, number = ref.partition("#")
    return f"https://github.com/{repo}/issues/{number}"


WHATWG_SSE = "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation"


@dataclass(frozen=True)
class Dialect:
    """One registered dialect: a way some servers' streams depart from the documented contract."""

    id: str
    providers: tuple[str, ...]
    deviation: str
    evidence: tuple[str, ...]
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "providers": list(self.providers), "deviation": self.deviation,
                "evidence": list(self.evidence), "rules": list(self.rules)}


def _d(id: str, providers: tuple[str, ...], deviation: str, evidence: tuple[str, ...],
       rules: tuple[str, ...]) -> Dialect:
    return Dialect(id, providers, deviation, evidence, rules)


DIALECTS: tuple[Dialect, ...] = (
    # -- SSE framing the providers themselves never use -------------------------------------
    _d("bom-prefix", ("no provider named; servers and proxies that write the body with a UTF-8 byte order mark",),
       "The body starts with a UTF-8 byte order mark, which the SSE format allows but no provider's stream carries.",
       (WHATWG_SSE, _gh("openai/openai-python#3819")),
       ("sse-bom",)),
    _d("crlf-line-ends", ("no provider named; servers whose HTTP stack ends lines with CRLF",),
       "Lines end in CRLF (a CR and its LF may fall in different reads), where the providers send LF.",
       (WHATWG_SSE, _gh("openai/openai-python#498")),
       ("sse-line-endings", "sse-multiline-data")),
    _d("multiline-data", ("no provider named; servers and gateways that break a payload over several lines",),
       "One event's JSON is carried over several `data:` lines, to be joined with LF, where the providers send one line.",
       (WHATWG_SSE, _gh("Routstr/routstr-core#543")),
       ("sse-multiline-data",)),
    _d("data-without-space", ("LongCat", "Ant Group Bailing", "Spring-based proxies"),
       "Fields are written `data:{...}` without the space after the colon that the providers always send.",
       (_gh("openai/openai-python#498"), _gh("davidmigloz/langchain_dart#778"), _gh("SamSaffron/term-llm#487")),
       ("sse-field-space",)),
    _d("comment-keepalives", ("OpenRouter (`: OPENROUTER PROCESSING`)", "LLaMA-Factory", "llama.cpp"),
       "SSE comment lines are sent as keep-alives before and between events; OpenAI's streams carry none.",
       ("https://openrouter.ai/docs/api-reference/streaming", _gh("tmc/langchaingo#631"),
        _gh("brainlid/langchain#569"), _gh("mnfst/llm-gateway#2053")),
       ("sse-comments",)),
    _d("extra-sse-lines", ("OpenAI-compatible gateways",),
       "The stream carries SSE lines the provider never sends: `event:` names on Chat Completions, a lone "
       "`retry:` block, fields of unknown names.",
       (WHATWG_SSE, _gh("openai/openai-python#2722")),
       ("sse-unknown-field", "sse-event-without-data", "chat-unknown-event")),
    _d("keepalive-data-events", ("corporate and SAP proxies", "gateways and MCP bridges that send heartbeats"),
       "Keep-alives are sent as data events (`data: keep-alive`, JSON without the API's `type`, empty data) "
       "instead of SSE comments, so not every data payload is an event of the API.",
       (_gh("NousResearch/hermes-agent#35418"), _gh("netease-lcap/wave-agent#1326"),
        _gh("modelcontextprotocol/go-sdk#636"), _gh("PhilflowIO/dav-mcp#31")),
       ("chat-data-json", "anth-event-json", "resp-event-json", "sse-event-without-data")),
    _d("event-lines-missing-or-wrong", ("OpenRouter (Responses)", "Anthropic-compatible proxies", "re-labelling gateways"),
       "The SSE `event:` lines that the Responses and Messages APIs document are missing (data-only SSE) or "
       "disagree with the payload's `type`.",
       (_gh("earendil-works/pi#1983"), _gh("openclaw/openclaw#37571"), _gh("coder/coder#23587")),
       ("anth-event-name", "resp-event-name")),
    # -- where a stream ends -----------------------------------------------------------------
    _d("end-marker-missing", ("ik_llama.cpp", "vllm-mlx", "OCI Cohere"),
       "The stream ends without the documented `data: [DONE]` although every choice has finished.",
       (_gh("ikawrakow/ik_llama.cpp#467"), _gh("waybarrios/vllm-mlx#101")),
       ("chat-done-sentinel",)),
    _d("events-after-terminal", ("one-api (a second `[DONE]`)", "OrcaRouter (usage after `[DONE]`)",
                                 "OpenRouter (reasoning items finished after `response.completed`)", "faulty relays"),
       "Events follow the stream's documented end (`[DONE]`, `message_stop`, `response.completed`).",
       (_gh("songquanpeng/one-api#1628"), _gh("Continuum-AI-Corp/OrcaRouter-Lite#127")),
       ("chat-after-done", "anth-after-stop", "resp-after-terminal")),
    # -- Chat Completions envelope -----------------------------------------------------------
    _d("azure-content-filter-chunks", ("Azure OpenAI",),
       "Content-filter chunks are interleaved: a prompt-filter preamble with `choices: []` and empty id, model "
       "and object, and annotation chunks whose choice has no `delta`.",
       ("https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter",
        _gh("pydantic/logfire#64"), _gh("microsoft/semantic-kernel#7250"), _gh("BerriAI/litellm#3811")),
       ("chat-empty-choices", "chat-choice-without-delta", "chat-chunk-object")),
    _d("chunk-object-nonstandard", ("TensorRT-Edge-LLM (no `object`)", "Foundry Local (`chat.completion`, a new id per chunk)",
                                    "early Mistral"),
       "Chunks lack `object: \"chat.completion.chunk\"` or carry another value, and may change `id` on every chunk.",
       (_gh("NVIDIA/TensorRT-Edge-LLM#93"), _gh("microsoft/foundry-local#31"), _gh("microsoft/foundry-local#144"),
        _gh("mistralai/client-python#16")),
       ("chat-chunk-object",)),
    _d("choice-index-missing", ("one-api relays of non-OpenAI channels",),
       "Choices carry no `index` (and the first delta no role).",
       (_gh("songquanpeng/one-api#1037"),),
       ("chat-choice-index",)),
    _d("content-parts-list", ("Mistral (Magistral)",),
       "`delta.content` is a list of typed parts (`thinking`, `text`) instead of a string.",
       ("https://docs.mistral.ai/capabilities/reasoning/",),
       ("chat-content-parts", "chat-reasoning")),
    _d("reasoning-content-field", ("DeepSeek", "Qwen on sglang", "gpt-oss hosts (`reasoning`)"),
       "Reasoning text streams in a vendor field of the delta (`reasoning_content`, `reasoning`) beside `content`.",
       ("https://api-docs.deepseek.com/guides/reasoning_model", _gh("vercel/ai#7866")),
       ("chat-reasoning",)),
    _d("usage-not-in-final-chunk", ("ZhiPu GLM (on every chunk, or on the finish chunk)",
                                    "xAI Grok (before an empty final chunk)",
                                    "Gemini's compatibility (in the last content chunk)",
                                    "DeepSeek (on the finish chunk, as the corpus models its envelope)"),
       "Usage rides on chunks that carry choices (every chunk, or the finish chunk), not on the one final "
       "usage chunk with `choices: []` that the documentation describes.",
       (_gh("rashidrazak/opencode-cmd-provider#213"), _gh("BerriAI/litellm#17136"), _gh("Routstr/routstr-core#543")),
       ("chat-usage",)),
    _d("usage-vendor-field", ("Groq (`x_groq.usage`)",),
       "Usage is reported only in a vendor field (`x_groq.usage` on the finish chunk), never in `usage`.",
       (_gh("vercel/ai#1651"), _gh("vercel/ai#1653")),
       ("chat-usage",)),
    # -- Chat Completions tool calls ---------------------------------------------------------
    _d("tool-calls-index-zero", ("Ollama", "ai-dynamo", "Gemini converters", "LiteLLM's Responses-to-Chat bridge"),
       "Every parallel tool call is sent at tool index 0, each with its own id and name.",
       (_gh("ollama/ollama#15457"), _gh("BerriAI/litellm#21337"), _gh("mcowger/plexus#691"),
        _gh("langchain-ai/langchain#34807")),
       ("chat-tool-index-reused",)),
    _d("tool-index-missing", ("Gemini's OpenAI compatibility", "Ollama before 0.4.7", "Xinference", "mistral.rs"),
       "Tool-call fragments carry no `index`, which the chunk schema requires.",
       (_gh("openai/openai-python#2806"), _gh("EricLBuehler/mistral.rs#1507"), _gh("xorbitsai/inference#3634"),
        _gh("AstrBotDevs/AstrBot#6661")),
       ("chat-tool-index-missing",)),
    _d("tool-index-from-block-index", ("Claude through OpenAI-compatible gateways (Bedrock Access Gateway, Switchyard)",
                                       "Foundry Local"),
       "Tool indexes start at 1 or follow another numbering (the Anthropic content-block index) instead of 0, 1, ...",
       (_gh("aws-samples/bedrock-access-gateway#134"), _gh("NVIDIA-NeMo/Switchyard#712"),
        _gh("microsoft/foundry-local#372")),
       ("chat-tool-index-dense",)),
    _d("tool-header-on-continuation", ("Fireworks (id, type and name repeated)", "LM Studio (`\"\"`)",
                                       "vLLM variants (`null`)"),
       "Continuation fragments carry the call's id, type and name again: repeated, empty or null, where the "
       "documented stream sends them once, on the first fragment.",
       (_gh("BerriAI/litellm#8990"), _gh("NousResearch/hermes-agent#12230"), _gh("lmstudio-ai/lmstudio-bug-tracker#649"),
        _gh("1CatAI/1Cat-vLLM#240")),
       ("chat-tool-header-once", "chat-tool-fragment-shape")),
    _d("tool-id-unstable", ("Poolside", "GLM through a Mistral-compatible endpoint (`\"null\"`)"),
       "Continuation fragments at a call's index carry another id than its first fragment (a new one, or a "
       "placeholder).",
       (_gh("poolsideai/pool#9"), _gh("langchain-ai/langchainjs#11373"), _gh("JetBrains/koog#2052")),
       ("chat-tool-id-conflict",)),
    _d("gemini-metadata-fragment", ("Gemini's OpenAI compatibility",),
       "A tool-call fragment carries only `extra_content` (a thought signature) and no `function` object.",
       (_gh("open-webui/computer#224"), _gh("THU-MAIC/OpenMAIC#1556")),
       ("chat-tool-fragment-shape",)),
    _d("arguments-as-object", ("llama.cpp's llama-server", "MiniMax", "Ollama's OpenAI route"),
       "`function.arguments` is a JSON object instead of a string.",
       (_gh("ggml-org/llama.cpp#20198"), _gh("can1357/oh-my-pi#1779"), _gh("openclaw/openclaw#97834")),
       ("chat-arguments-string",)),
    _d("arguments-null", ("DeepSeek through OpenRouter", "DeepInfra", "vLLM"),
       "A fragment's `function.arguments` is `null` instead of a string (usually the first).",
       (_gh("shiaho777/web-to-app#395"), _gh("open-webui/open-webui#27195"), _gh("vllm-project/vllm#9693")),
       ("chat-arguments-string",)),
    _d("arguments-empty-string", ("vLLM (Qwen3)",),
       "A call to a tool without parameters ends with arguments `\"\"`, which is not the JSON the documentation "
       "promises.",
       (_gh("vllm-project/vllm#19419"), _gh("openai/openai-agents-js#664"), _gh("pydantic/pydantic-ai#1654")),
       ("chat-arguments-empty",)),
    # -- Chat Completions finish ---------------------------------------------------------------
    _d("finish-reason-repeated", ("ChatMock", "sglang"),
       "A choice finishes twice: `tool_calls`, then a trailing chunk with `stop`.",
       (_gh("RayBytes/ChatMock#114"), _gh("sgl-project/sglang#8417")),
       ("chat-finish-reason-conflict",)),
    _d("finish-reason-empty-string", ("Ollama (old releases)",),
       "Every chunk carries `finish_reason: \"\"` instead of `null` until the last.",
       (_gh("ollama/ollama#4357"),),
       ("chat-finish-reason-value",)),
    _d("finish-reason-missing", ("OpenRouter (some upstreams)", "Snowflake Cortex"),
       "No chunk carries a `finish_reason`; the stream just ends with `[DONE]`.",
       (_gh("ranxianglei/billion-context-pi#92"),),
       ("chat-finish-reason-missing",)),
    # -- Responses ---------------------------------------------------------------------------
    _d("lifecycle-events-missing", ("LiteLLM (`/responses`)", "sub2api", "Responses bridges",
                                    "reordering Anthropic gateways"),
       "The opening events the documentation lists are missing or late: no `response.created`, no "
       "`output_item.added` or `content_part.added`, block events before `message_start`.",
       (_gh("BerriAI/litellm#22102"), _gh("Wei-Shaw/sub2api#2875"), _gh("ranxianglei/billion-context#62")),
       ("resp-lifecycle", "resp-item-added-missing", "anth-message-start")),
    _d("closing-events-missing", ("Chat-to-Responses converters (cloudpods)", "plexus", "headroom (Anthropic)"),
       "The events that close an item or block are dropped (`output_item.done` and the other `.done` events, "
       "`content_block_stop`), so open items end only with the response.",
       (_gh("yunionio/cloudpods#25157"), _gh("mcowger/plexus#644"), _gh("headroomlabs-ai/headroom#2890")),
       ("resp-item-done-missing", "anth-block-stop-missing")),
    _d("arguments-only-on-items", ("LM Studio", "LiteLLM", "bridges that send whole items"),
       "A function call's arguments come only on the item (`output_item.added` or `.done`), with no "
       "`function_call_arguments` events.",
       (_gh("greeves89/AI-Employee#285"), _gh("greeves89/AI-Employee#291"), _gh("rsalmn/ExtremeRouter#9")),
       ("resp-arguments-source",)),
    _d("final-values-disagree", ("vLLM (re-serialised arguments)", "text-normalising gateways",
                                 "LM Studio (`{}` in `output_item.done`)", "OmniRoute (corrupted deltas)",
                                 "servers that take the final text too early"),
       "The final value of a text or of arguments (a `.done` event, the finished item) differs from what the "
       "deltas built: re-serialised, trimmed, emptied, taken before the last deltas, or right where the "
       "deltas were corrupted.",
       (_gh("anomalyco/opencode#44862"), _gh("Soju06/codex-lb#504"), _gh("earendil-works/pi#917"),
        _gh("diegosouzapw/OmniRoute#10223"), _gh("MoonshotAI/kimi-code#1455"), _gh("Luce-Org/lucebox#341")),
       ("resp-arguments-mismatch", "resp-text-mismatch")),
    _d("delta-after-done", ("vLLM", "other non-conforming Responses endpoints"),
       "An argument delta arrives for an item after its `function_call_arguments.done`.",
       (_gh("pydantic/pydantic-ai#5757"), _gh("pydantic/pydantic-ai#4733")),
       ("resp-delta-after-done",)),
    _d("completed-output-null", ("OpenAI-compatible Responses endpoints",),
       "`response.completed` carries `output: null` instead of the finished items.",
       (_gh("NousResearch/hermes-agent#32914"), _gh("NousResearch/hermes-agent#11179")),
       ("resp-completed-output",)),
    _d("item-ids-unstable", ("vLLM", "Bedrock Mantle (gpt-oss)"),
       "Item ids change between events, or a finished function_call item has no `id` (renamed `item_id`).",
       (_gh("vllm-project/vllm#47916"), _gh("vllm-project/vllm#24788"), _gh("anomalyco/opencode#46885"),
        _gh("anomalyco/opencode#45081")),
       ("resp-item-id-mismatch", "resp-arguments-source")),
    _d("malformed-items", ("vLLM (a message with `content: null`)", "CLIProxyAPI (`\"name\": \"\"` when done)"),
       "Output items have an undocumented shape: a message item whose `content` is null, a finished "
       "function_call whose name is empty.",
       (_gh("earendil-works/pi#5819"), _gh("makecindy/cindy#4509"), _gh("router-for-me/CLIProxyAPI#1004")),
       ("resp-malformed-item",)),
    _d("sequence-number-irregular", ("onyx's gateway (absent)", "LiteLLM (all 0)", "GoModel guardrails (gaps)"),
       "`sequence_number` is absent, constant, or jumps, instead of rising by one per event.",
       (_gh("onyx-dot-app/onyx#13624"), _gh("BerriAI/litellm#28899"), _gh("ENTERPILOT/GoModel#953")),
       ("resp-sequence-number",)),
    _d("server-tools-as-custom-calls", ("xAI (Responses API, server-side X search)",),
       "The provider's own server tools are reported as `custom_tool_call` items naming no tool the request "
       "declared (X search sub-tools, call ids `xs_call_*`), with the rest of the turn and the answer in the same "
       "response, instead of a server tool item type.",
       ("https://docs.x.ai/docs/guides/tools/advanced-usage",
        "https://github.com/vercel/ai/blob/main/packages/xai/src/responses/xai-responses-language-model.ts",
        "https://github.com/vercel/ai/blob/main/packages/xai/src/responses/__fixtures__/xai-x-search-tool.chunks.txt"),
       ("resp-custom-call-undeclared",)),
    # -- Anthropic Messages ------------------------------------------------------------------
    _d("done-sentinel-on-anthropic", ("Azure API Management in front of Anthropic",),
       "A gateway appends OpenAI's `data: [DONE]` to an Anthropic stream.",
       (_gh("anthropics/anthropic-sdk-csharp#202"),),
       ("anth-done-sentinel",)),
    _d("block-index-gap", ("oMLX (a local MLX server's Anthropic endpoint)",),
       "Content block indexes skip a number (thinking at 0, tool_use at 2).",
       (_gh("jundot/omlx#1353"), _gh("anthropics/anthropic-sdk-python#1192")),
       ("anth-block-index",)),
    _d("converter-block-events", ("new-api and other format converters", "claude-code-router",
                                  "sglang's Anthropic endpoint"),
       "Block events do not follow the documented block lifecycle: deltas or stops for a block that never "
       "started, deltas of a type that does not fit the block.",
       (_gh("QuantumNous/new-api#5482"), _gh("anthropics/anthropic-sdk-python#1192"),
        _gh("musistudio/claude-code-router#1356"), _gh("sgl-project/sglang#24293")),
       ("anth-block-not-started", "anth-delta-type")),
    _d("tool-input-prefilled", ("ccrelay and other proxies that send whole tool_use blocks",),
       "A tool_use block starts with its whole input in `content_block_start` instead of `input: {}` and "
       "streamed `input_json_delta` fragments.",
       (_gh("inflaborg/ccrelay#119"),),
       ("anth-input-prefilled",)),
    _d("tool-start-without-input", ("cc-switch",),
       "A tool_use block's `content_block_start` has no `input` field at all.",
       (_gh("farion1231/cc-switch#2557"),),
       ("anth-input-prefilled",)),
    # -- Google Gemini (streamGenerateContent) -------------------------------------------------
    _d("done-sentinel-on-gemini", ("antigravity2api-nodejs", "Gemini-format relays built on an OpenAI-style SSE writer"),
       "A relay appends OpenAI's `data: [DONE]` to a Gemini stream, which Google ends after its last chunk with no "
       "sentinel.",
       (_gh("liuw1535/antigravity2api-nodejs#73"),),
       ("gem-done-sentinel",)),
    _d("lf-line-ends-on-gemini", ("Gemini-format relays and gateways that re-serialise the stream with their own SSE writer",),
       "Lines end in LF (`data: {...}\\n\\n`) where Google's own Gemini API and Vertex AI streams end them in CRLF.",
       (WHATWG_SSE, "https://github.com/nyroway/nyro/pull/265", _gh("miruamel/xuan#194"),
        _gh("liuw1535/antigravity2api-nodejs#73")),
       ("sse-line-endings",)),
    _d("gemini-args-as-string", ("Gemini-format relays that convert OpenAI-style tool calls",),
       "`functionCall.args` is a string holding JSON (an OpenAI `arguments` copied over) instead of the object the "
       "FunctionCall schema defines.",
       ("https://github.com/defog-ai/defog/pull/215", _gh("liuw1535/antigravity2api-nodejs#137")),
       ("gem-args-object",)),
)

DIALECTS_BY_ID: dict[str, Dialect] = {d.id: d for d in DIALECTS}


def get(ident: str) -> Dialect:
    """The registry entry ``ident``; :class:`KeyError` when there is none."""
    return DIALECTS_BY_ID[ident]


def dialect_of(trace: Any) -> str | None:
    """The dialect id a trace carries (a :class:`kit.trace.Trace` or a trace document), or None
    for the provider's contract."""
    ident = trace.get("dialect") if isinstance(trace, dict) else getattr(trace, "dialect", None)
    return ident or None
