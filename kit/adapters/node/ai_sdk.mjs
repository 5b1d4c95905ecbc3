// The Vercel AI SDK's streamText over HTTP: the kit's `vercel-ai-openai-chat`, `vercel-ai-openai-responses`
// and `vercel-ai-anthropic` adapters (one program; the provider is the case's wire API).
//
//   node kit/adapters/node/ai_sdk.mjs [--worker]     (run by kit verify as an http: adapter)
//
// What a user's program does, as the AI SDK's documentation shows streaming with tools
// (docs/03-ai-sdk-core/05-generating-text.mdx "fullStream property", 15-tools-and-tool-calling.mdx,
// 50-error-handling.mdx "Handling streaming errors (streaming with error support)"):
//
//   const result = streamText({ model, prompt, tools, maxRetries: 0 });
//   for await (const part of result.fullStream) { switch (part.type) { ... case "error": ... } }
//
// then the promises that resolve when the stream is finished: `result.content` ("the content that
// was generated in the last step"), `result.finishReason`, `result.rawFinishReason`, `result.usage`.
// The model is `createOpenAI({ baseURL }).chat(id)` (openai.chat.completions),
// `createOpenAI({ baseURL }).responses(id)` (openai.responses) or `createAnthropic({ baseURL })(id)`
// (anthropic.messages; the AI SDK's Anthropic base URL is the versioned one, ".../v1"), with the kit's
// dummy keys from the environment. The tools are the names in KIT_TOOLS, each
// `tool({ inputSchema: jsonSchema({ type: "object" }) })` with no `execute`, so the SDK returns the
// calls instead of running them, and one step (streamText's default `stopWhen: stepCountIs(1)`).
// `jsonSchema` without a `validate` function does not validate, so only the JSON parse is checked.
// `maxRetries: 0`: a retry would only fetch the same trace again.
//
// The content parts of the step, in order: `text` -> SAY; `tool-call` -> DO (`toolCallId`,
// `toolName`, `input`), except a provider-executed call (`providerExecuted: true`, the provider
// ran it: web search, code interpreter, MCP, ...), which is no DO, nor (Responses) a call for which
// the content holds a provider-executed `tool-result` (the provider passes a `shell_call_output` item
// on so: the server ran the call, as the reference reads a call answered in the same response);
// `reasoning`, `source`, `file`, `tool-result` and `tool-error` parts are never SAY or DO. `input` is the value the SDK parsed:
// an object, or a string (a Responses custom tool call's free-form input, which the provider
// passes on as a JSON string: the tools here are declared as function tools, since KIT_TOOLS has
// only names, and the SDK hands such a call back the same way). A call the SDK flags `invalid:
// true` (ai/src/generate-text/parse-tool-call.ts: its input did not parse, or its tool is not
// declared) keeps as `input` the raw text when the JSON did not parse: the Plan gets that raw
// text, and marks it invalid; nothing is repaired.
//
// The finish: `result.finishReason` is the AI SDK's own vocabulary (`stop`, `tool-calls`, `length`,
// `content-filter`, `error`, `other`; ai/src/types/language-model.ts), mapped here onto the Plan's
// (the hyphens are the SDK's; the harness's table is not extended for them). Beside it the SDK keeps
// the provider's own reason, `result.rawFinishReason`, for what the unified value cannot say (it
// unifies Anthropic's `pause_turn` as `stop`, deliberately, and anything unknown as `other`): the
// Plan takes that raw reason, read by the wire vocabulary, where there is one, else the unified
// value (none for `other` without a raw reason: the stream carried none).
// Usage: `result.usage` (the step's) `inputTokens` / `outputTokens`. On Anthropic the SDK's
// `inputTokens` is the total with the cache reads and writes, which it reports as
// `inputTokenDetails.cacheReadTokens` / `cacheWriteTokens`
// (@ai-sdk/anthropic/src/convert-anthropic-messages-usage.ts): they are taken out again
// (planUsage `cacheInInput`), as the wire counts them.
//
// Errors: streamText does not throw; an error becomes an `error` part of fullStream ("Full streams
// support error parts", 50-error-handling.mdx; the provider also puts there each chunk it cannot
// parse or validate, and goes on), and when the stream produced no step the promises reject
// (NoOutputGeneratedError). Either is what a user's program sees as "the stream failed": the
// program throws the first error part's error (or the rejection), the kit's "this stream is
// broken". A `tool-error` part is not a stream failure: it reports a call the SDK could not parse
// or whose tool it does not know, and that call is in the content (above).
//
// What the result can express (the rows' capabilities in kit/adapters/thirdparty/__init__.py;
// files under node_modules):
// - one choice: the Chat model reads `chunk.choices[0]` only and has no `n` setting
//   (@ai-sdk/openai/src/chat/openai-chat-language-model.ts, openai-chat-options.ts); a Responses
//   or Messages response is one message;
// - order (Responses, Anthropic): `content` lists the parts as the stream opened them
//   (ai/src/generate-text/stream-text.ts, `recordedContent`); not on Chat Completions, where the
//   provider keeps all of a stream's text in one text part (id "0") and emits the tool calls when
//   the stream ends (@ai-sdk/provider-utils/src/streaming-tool-call-tracker.ts, `flush`);
// - no "not to be run" mark: a tool-call part (ai/src/generate-text/tool-call.ts) has no status,
//   and a call a cut stream left open is finished with what arrived; `invalid` says "did not
//   parse, or unknown tool", not "incomplete";
// - invalid arguments are held: the raw text is the invalid call's `input` (parse-tool-call.ts);
// - a refusal is text (Chat Completions, Responses): `delta.refusal` and `response.refusal.delta`
//   go into a text part, and the finish becomes `content-filter`;
// - no server tools in the wire's terms: a provider-executed call or result carries the SDK's own
//   tool name (`web_search`, `code_interpreter`, `computer_use`, `mcp`...), not the item or block
//   type and name the Plan lists;
// - Responses call types: function tools (`function_call`), `openai.tools.customTool`
//   (`custom_tool_call`) and `openai.tools.toolSearch({ execution: "client" })` (`tool_search_call`,
//   the SDK reads the item's `execution`: a server one is provider-executed); the provider treats a `computer_call` as provider-executed, and
//   `openai.tools` has no computer tool (@ai-sdk/openai/src/openai-tools.ts).
import { importPackage, finishReason, PlanOf, serve, text, toolNames } from "./harness.mjs";

const APIS = ["openai.chat.completions", "openai.responses", "anthropic.messages"];
const MODELS = { "openai.chat.completions": "gpt-4o-mini", "openai.responses": "gpt-4o-mini",
  "anthropic.messages": "claude-sonnet-4-5" }; // any name: the replay server answers every model with the trace

// the AI SDK's unified finish reasons (ai/src/types/language-model.ts FinishReason) in the Plan's vocabulary
const FINISH = { stop: "stop", "tool-calls": "tool_calls", length: "length", "content-filter": "content_filter",
  error: "error" };

globalThis.AI_SDK_LOG_WARNINGS = false; // the SDK's console warnings (e.g. an unknown model name) are not results

let packages = null;

async function load() {
  if (packages === null) {
    const [ai, openai, anthropic] = await Promise.all([importPackage("ai"), importPackage("@ai-sdk/openai"),
      importPackage("@ai-sdk/anthropic")]);
    packages = { ai, openai, anthropic };
  }
  return packages;
}

function model(api, { openai, anthropic }) {
  const env = process.env;
  if (api === "anthropic.messages") {
    return anthropic.createAnthropic({ baseURL: `${env.ANTHROPIC_BASE_URL.replace(/\/+$/, "")}/v1`,
      apiKey: env.ANTHROPIC_API_KEY })(MODELS[api]);
  }
  const provider = openai.createOpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY });
  return api === "openai.responses" ? provider.responses(MODELS[api]) : provider.chat(MODELS[api]);
}

// the Plan's action for a client tool search (a tool_search_call item): declared on Responses as the
// provider's tool search tool run by the client, `openai.tools.toolSearch({ execution: "client" })`, whose
// calls the SDK hands over with the input `{arguments, call_id}` (@ai-sdk/openai toolSearchInputSchema)
const TOOL_SEARCH = "tool_search";

function tools(api, { ai, openai }) {
  const out = {};
  for (const name of toolNames()) {
    if (api === "openai.responses" && name === TOOL_SEARCH) out[name] = openai.openai.tools.toolSearch({ execution: "client" });
    else out[name] = ai.tool({ inputSchema: ai.jsonSchema({ type: "object" }) });
  }
  return out;
}

function planFinish(unified, raw) {
  // the provider's own reason where the SDK keeps it (rawFinishReason: what a user reads for what the
  // unified value leaves out, e.g. Anthropic's pause_turn, which the SDK unifies as "stop"), read by
  // the wire vocabulary; else the unified value
  if (typeof raw === "string" && raw) return finishReason(raw);
  if (typeof unified === "string" && unified in FINISH) return FINISH[unified];
  return null; // "other" with no reason kept: the stream carried none
}

/** An error part's error as thrown: an Error as it is; a value the SDK put there itself (streamText
 * reports e.g. "text part <id> not found" as a bare string) as an Error with no frame of this program. */
function asError(value) {
  if (value instanceof Error) return value;
  const error = new Error(text(value));
  error.stack = `Error: ${error.message}`; // the SDK gave no stack: say none rather than this file's line
  return error;
}

async function runCase(api) {
  const pkgs = await load();
  const result = pkgs.ai.streamText({
    model: model(api, pkgs),
    prompt: "hi",
    tools: tools(api, pkgs),
    maxRetries: 0,
    onError: () => {}, // the error parts are read from fullStream below (the default logs them to stderr)
  });
  let failed = null;
  for await (const part of result.fullStream) {
    if (part.type === "error" && failed === null) failed = { error: part.error };
  }
  // the stream reported an error: the user's `case "error"` (the first error part is the answer)
  if (failed !== null) throw asError(failed.error);
  // the promises reject when the stream produced no step at all (NoOutputGeneratedError)
  const [content, unified, raw, usage] = await Promise.all([result.content, result.finishReason,
    result.rawFinishReason, result.usage]);
  const plan = new PlanOf(api);
  // Responses: a call the provider reports its own result for in the same response (a tool-result part
  // with providerExecuted for its toolCallId: a shell call in a hosted container) was run by the server
  const ranByProvider = new Set(api === "openai.responses" ? content.filter((p) => p.type === "tool-result"
    && p.providerExecuted && typeof p.toolCallId === "string").map((p) => p.toolCallId) : []);
  content.forEach((part, n) => {
    if (part.type === "text") plan.text(part.text, 0, n);
    else if (part.type === "tool-call" && !part.providerExecuted && !ranByProvider.has(part.toolCallId)) {
      let input = part.input;
      if (api === "openai.responses" && part.toolName === TOOL_SEARCH && !part.invalid && input && typeof input === "object") {
        input = input.arguments; // what the model searched for (the SDK's input also repeats the call_id)
      }
      if (part.invalid && typeof input === "string") {
        // an invalid call's string input is the raw text when its JSON did not parse (parse-tool-call.ts)
        plan.call(part.toolCallId, part.toolName, input);
      } else if (typeof input === "string") {
        plan.call(part.toolCallId, part.toolName, input, { freeForm: true }); // a parsed string: free-form input
      } else {
        plan.call(part.toolCallId, part.toolName, input === undefined ? null : input);
      }
    }
  });
  plan.finish(planFinish(unified, raw), 0, { mapped: true });
  const details = usage?.inputTokenDetails ?? {};
  plan.usage(usage?.inputTokens, usage?.outputTokens, { cacheRead: details.cacheReadTokens,
    cacheWrite: details.cacheWriteTokens, cacheInInput: true });
  plan.end();
}

serve(APIS, runCase);
