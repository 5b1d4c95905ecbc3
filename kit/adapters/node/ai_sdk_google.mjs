// The Vercel AI SDK (`ai`) with its Google provider (`@ai-sdk/google`, the Gemini API), as its
// documentation shows (ai-sdk.dev/providers/ai-sdk-providers/google-generative-ai): a provider from
// `createGoogleGenerativeAI({ baseURL })` (the replay server's base with the API version, as the
// provider's default base URL ends in `/v1beta`), `streamText({ model, tools, prompt })`, the
// `fullStream` read to its end, then the step's `content`, finish and usage. The tools are declared
// as in ai_sdk.mjs (the other AI SDK rows, which explains the choice): `tool({ inputSchema:
// jsonSchema({ type: "object" }) })` per name in KIT_TOOLS, no `execute`, one step.
//
// The provider's stream (@ai-sdk/google/src/google-generative-ai-language-model.ts, doStream) reads
// `candidates[0]` of each payload only, and turns its parts into the SDK's stream parts:
// - text parts into one text part until a thought part comes (`thought: true` is a `reasoning` part,
//   never text; an empty text carrying only a thoughtSignature adds nothing). A functionCall does
//   not end the text part: text after a call is appended to the text before it, so the content does
//   not keep text and calls in order (the row declares `ordered=no`);
// - each functionCall into a `tool-call` (`toolCallId`: the part's `id`, or one the SDK generates
//   when Gemini sends none; `input`: `args` as JSON text, `{}` without args, a string `args` as it
//   is). A streamed call (`willContinue`, `partialArgs`) is assembled by its GoogleJSONAccumulator
//   and becomes a tool-call at its closing part; a streamed call still open when the stream ends is
//   never emitted (the provider's `flush` does not close it);
// - `executableCode` into a provider-executed `tool-call` named `code_execution`, and
//   `codeExecutionResult` into a `tool-result` of that call (dropped when no code came before it):
//   the Plan's server tools `code_execution` and `code_execution_result`;
// - Google Search grounding into `source` parts (web URLs only), and the candidate's last
//   `groundingMetadata` into the step's provider metadata (`providerMetadata.google`), which is
//   where a user reads the queries searched: the Plan's `google_search` server tool, once;
// - an `{"error": ...}` payload into an `error` part (an APICallError with the code, status and
//   message), and a payload that fails the provider's chunk schema into an `error` part too: the
//   program throws the first one (as ai_sdk.mjs: the stream failed).
//
// The finish: the provider keeps Gemini's own reason as `rawFinishReason` (`STOP`, `MAX_TOKENS`,
// `SAFETY`, ...; a prompt block's `promptFeedback.blockReason`), and unifies it lossily (`STOP` with
// calls is `tool-calls`; LANGUAGE, UNEXPECTED_TOOL_CALL, OTHER and any unknown value are `other`;
// @ai-sdk/google/src/map-google-generative-ai-finish-reason.ts). The Plan takes `content_filter`
// where the SDK says `content-filter` (each reason it unifies so, and a prompt block, whose raw
// reason is a block reason and not a finish reason), else the raw reason read by the wire vocabulary
// (the kit's finish table, KIT_NODE_CONVENTIONS), else the unified value (`other`, the SDK's word for a
// reason it does not know, and none: a stream that never finished).
// Usage: the step's `usage` (@ai-sdk/google/src/convert-google-generative-ai-usage.ts) from the last
// payload's `usageMetadata`: `inputTokens` = promptTokenCount, `outputTokens` = candidatesTokenCount
// plus thoughtsTokenCount, a count left out being 0, as the Plan reads them (gem-usage).
import { importPackage, finishReason, PlanOf, serve, text, toolNames } from "./harness.mjs";

const API = "google.generate_content";
const MODEL = "gemini-2.5-flash"; // any name: the replay server answers every model with the trace
// the AI SDK's unified finish reasons (ai/src/types/language-model.ts FinishReason) in the Plan's vocabulary
const FINISH = { stop: "stop", "tool-calls": "tool_calls", length: "length", "content-filter": "content_filter",
  error: "error" };

globalThis.AI_SDK_LOG_WARNINGS = false; // the SDK's console warnings are not results

let packages = null;

async function load() {
  if (packages === null) {
    const [ai, google] = await Promise.all([importPackage("ai"), importPackage("@ai-sdk/google")]);
    packages = { ai, google };
  }
  return packages;
}

function tools(ai) {
  const out = {};
  for (const name of toolNames()) out[name] = ai.tool({ inputSchema: ai.jsonSchema({ type: "object" }) });
  return out;
}

function planFinish(unified, raw) {
  if (unified === "content-filter") return "content_filter";
  if (typeof raw === "string" && raw) {
    const known = finishReason(raw);
    // a raw reason outside the wire's vocabulary (finishReason hands it back as it is) is one the SDK
    // unified as "other", its word for a reason it does not know: no finish the Plan knows either
    if (known !== raw) return known;
  }
  if (typeof unified === "string" && unified in FINISH) return FINISH[unified];
  return null; // "other": no reason kept, or one nobody knows
}

const isPlain = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const nonEmpty = (value) => Array.isArray(value) && value.length > 0;

/** An error part's error as thrown (ai_sdk.mjs asError). */
function asError(value) {
  if (value instanceof Error) return value;
  const error = new Error(text(value));
  error.stack = `Error: ${error.message}`;
  return error;
}

async function runCase(api) {
  const { ai, google } = await load();
  const base = (process.env.KIT_BASE_URL ?? "").replace(/\/+$/, "");
  // the replay server takes any key; the provider would otherwise read GOOGLE_GENERATIVE_AI_API_KEY
  const provider = google.createGoogleGenerativeAI({ baseURL: `${base}/v1beta`, apiKey: "test" });
  const result = ai.streamText({
    model: provider(MODEL),
    prompt: "hi",
    tools: tools(ai),
    maxRetries: 0,
    onError: () => {},
  });
  let failed = null;
  for await (const part of result.fullStream) {
    if (part.type === "error" && failed === null) failed = { error: part.error };
  }
  if (failed !== null) throw asError(failed.error);
  const [content, unified, raw, usage, metadata] = await Promise.all([result.content, result.finishReason,
    result.rawFinishReason, result.usage, result.providerMetadata]);
  const meta = isPlain(metadata?.google) ? metadata.google : {};
  const plan = new PlanOf(api);
  for (const part of content) {
    if (part.type === "text") plan.text(part.text);
    else if (part.type === "tool-call" && part.providerExecuted) {
      // code execution; a `server:<type>` call (Gemini's own tool calls) is no part of the Plan
      if (part.toolName === "code_execution") plan.serverTool({ type: "code_execution" });
    } else if (part.type === "tool-result" && part.toolName === "code_execution") {
      plan.serverTool({ type: "code_execution_result" });
    } else if (part.type === "tool-call") {
      const input = part.input;
      if (typeof input === "string" && !part.invalid) {
        plan.call(part.toolCallId, part.toolName, input, { freeForm: true }); // args that parsed to a string
      } else {
        // an invalid call's string input is its raw text (ai parse-tool-call.ts); else the parsed value
        plan.call(part.toolCallId, part.toolName, input === undefined ? null : input);
      }
    }
  }
  // grounding: the candidate's last groundingMetadata (a search made: its queries, the chunks found or
  // the search entry point), or a source part the provider made of one; URL context: its metadata
  const grounding = meta.groundingMetadata;
  if ((isPlain(grounding) && (nonEmpty(grounding.webSearchQueries) || nonEmpty(grounding.groundingChunks)
    || isPlain(grounding.searchEntryPoint))) || content.some((part) => part.type === "source")) {
    plan.serverTool({ type: "google_search" });
  }
  if (isPlain(meta.urlContextMetadata) && Object.keys(meta.urlContextMetadata).length) {
    plan.serverTool({ type: "url_context" });
  }
  plan.finish(planFinish(unified, raw), 0, { mapped: true });
  plan.usage(usage?.inputTokens, usage?.outputTokens);
  plan.end();
}

serve([API], runCase);
