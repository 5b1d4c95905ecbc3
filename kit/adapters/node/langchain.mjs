// LangChain.js chat models over HTTP: the kit's `langchain-js-openai-chat`, `langchain-js-openai-responses`
// and `langchain-js-anthropic` adapters (one program; the model is chosen by KIT_API).
//
//   node kit/adapters/node/langchain.mjs [--worker]     (run by kit verify as an http: adapter)
//
// What a user's program does, as LangChain.js shows streaming with tools (the "Aggregate Streamed
// Chunks" and "Bind tools" sections of the ChatOpenAI and ChatAnthropic docstrings, in
// @langchain/openai/dist/chat_models/index.js and @langchain/anthropic/dist/chat_models.js):
//
//     const modelWithTools = model.bindTools(tools);
//     let full;
//     for await (const chunk of await modelWithTools.stream(messages)) {
//       full = !full ? chunk : concat(full, chunk);        // concat from @langchain/core/utils/stream
//     }
//     full.content, full.tool_calls, full.invalid_tool_calls, full.tool_call_chunks,
//     full.additional_kwargs, full.response_metadata, full.usage_metadata
//
// The models: openai.chat.completions -> `new ChatOpenAI({...})`; openai.responses -> `new
// ChatOpenAI({..., useResponsesApi: true})`; anthropic.messages -> `new ChatAnthropic({...})`. Each gets
// the kit's base URL and dummy key explicitly (ChatOpenAI `configuration.baseURL`, the OPENAI_BASE_URL
// the kit sets, ending in /v1; ChatAnthropic `anthropicApiUrl`, ANTHROPIC_BASE_URL without /v1, as the
// Anthropic SDK appends /v1/messages) and `maxRetries: 0` (a retry would only fetch the same trace
// again). ChatOpenAI's `streamUsage` and ChatAnthropic's are on by default. The chat model level is
// used, not an agent: nothing validates or runs the tools. The tools bound are those the stream calls
// (KIT_TOOLS), each an OpenAI-format function with a permissive schema ({"type": "object"}), or one
// generic tool when it calls none: binding tools is what changes the result's shape (ChatAnthropic
// keeps `content` as a list of blocks only when tools are bound). LangChain does not filter calls on
// the bound tools' names (the chunk converters turn every streamed call into a tool_call_chunk, and
// collapseToolCallChunks in @langchain/core/dist/messages/utils.js parses them without the tools).
// LangSmith tracing is forced off before LangChain is imported, so nothing is sent out.
//
// Mapping of the gathered AIMessageChunk (as kit/adapters/thirdparty/langchain_models.py maps the
// Python sibling's, where the result types agree):
//
// - `content` as a string (Chat Completions): one SAY, then the calls.
// - `content` as a list of blocks, in the order LangChain gives: `text` blocks -> SAY (LangChain merges
//   the pieces of one block by their `index`); `tool_use` (Anthropic) -> the tool call LangChain parsed
//   from that block (matched by the block's `index`, the `index` of its tool-call chunk); server tool
//   blocks (Anthropic `server_tool_use`, `mcp_tool_use`, `*_tool_result`) -> server tools (type, id or
//   tool_use_id, name); `reasoning` / `thinking` / `redacted_thinking` / `image` are never SAY. On the
//   Responses API LangChain.js gives only text (by the part's content_index), reasoning and image blocks:
//   its calls are only in `tool_calls` (convertResponsesDeltaToChatGenerationChunk in
//   @langchain/openai/dist/converters/responses.js).
// - Calls: `tool_calls` entries -> DO with `id`, `name` and the `args` LangChain parsed;
//   `invalid_tool_calls` entries -> DO with the raw `args` string, flagged invalid (LangChain's marker: the
//   arguments did not parse, or the call has no id, so it cannot be run). Both come
//   from `tool_call_chunks`, each list in the chunks' order; calls not matched to a content block follow
//   the content, in `tool_call_chunks` order. Responses: a custom tool call (its chunk `isCustomTool`) is
//   `{input: <raw text>}`, LangChain's convention for a free-text input: that input, free text as the
//   Plan has it; a computer call is `{name: "computer_use", args: {action}}`, LangChain's name for the
//   computer tool, read as the user reads it with its item in `additional_kwargs.tool_outputs`: a DO
//   `computer` whose parameters are the action. Shell and local shell calls are only items in
//   `additional_kwargs.tool_outputs` (where the `tools.shell` / `tools.localShell` docstrings tell users to
//   find them): a DO `shell` / `local_shell` with the item's `call_id` and `action`, as is a client tool
//   search (`tool_search_call`, kept there too: a DO `tool_search` with its `arguments`); the server tool
//   items there (web_search_call, file_search_call, mcp_call...) -> server tools; the refusal is
//   `additional_kwargs.refusal`. Who runs a call is read per item, as the reference does (runners():
//   the raw items of `response_metadata.output` / `tool_outputs`, the response's `tools` LangChain.js
//   copies into `response_metadata`, a call whose output item came first): a shell call in a hosted
//   container, a client tool search's `execution`, a custom tool call naming no declared tool (xAI's X
//   search) are read from them; a call of `tool_calls` its raw item shows server-run is a server tool.
// - Finish: Chat Completions `response_metadata.finish_reason`; Anthropic `stop_reason`, which
//   LangChain.js keeps in `additional_kwargs` (the message_delta's delta), or `response_metadata` where a
//   version puts it; Responses has no finish reason on the wire, so `response_metadata.status` and
//   `incomplete_details` are read by responsesFinish (harness.mjs).
// - Usage: `usage_metadata` input and output tokens; LangChain's `input_tokens` includes the cache reads
//   and writes (`input_token_details.cache_read` / `cache_creation`), taken out on Anthropic, where the
//   wire's input_tokens does not include them.
// - One choice: Chat Completions reads `choices[0]` of every chunk, whatever its index.
//
// Capabilities, from what the gathered AIMessageChunk can say (@langchain/core/dist/messages/ai.js):
// - ordered: no on Chat Completions and on Responses (`content` is the text, the calls are the separate
//   `tool_calls` / `invalid_tool_calls` lists); yes on Anthropic (`content` is the list of blocks in
//   stream order, text and tool_use alike, read in that order above).
// - marks_undispatched: no. LangChain's one marker on a call is `invalid_tool_calls` (arguments that did
//   not parse, or no id), which cannot tell a call cut off from a complete call with malformed
//   arguments; a cut call whose partial JSON LangChain completes (parsePartialJson) lands in
//   `tool_calls` as a valid call, and is graded as dispatched.
// - multi_choice: no (`choices[0]` of every chunk; Responses and Anthropic have one).
// - call_types (Responses): what bindTools can request as documented: function tools, custom tools, and the
//   computer, shell, local shell, apply_patch and tool search (`tools.toolSearch({execution: "client"})`)
//   tools of @langchain/openai's `tools` (tools/*.js), each sent as its built-in type. LangChain.js's stream converter keeps an apply_patch_call nowhere, so such
//   a call is lost (a difference like any lost call).
import { PlanOf, isClientCall, isServerTool, importPackage, nameOrNull, responsesFinish, say, serve } from "./harness.mjs";

// LangChain.js prints its warnings with console.log: the harness sends them to stderr (stdout carries
// the kit's events)
process.env.LANGSMITH_TRACING = "false";
process.env.LANGCHAIN_TRACING_V2 = "false";
process.env.LANGCHAIN_TRACING = "false";

const CHAT = "openai.chat.completions";
const RESPONSES = "openai.responses";
const ANTHROPIC = "anthropic.messages";
const OPENAI_MODEL = "gpt-4o-mini"; // any name: the replay server answers every model with the trace
const ANTHROPIC_MODEL = "claude-haiku-4-5";
const MESSAGES = [["user", "hi"]];

const SERVER_BLOCK_EXTRA = ["server_tool_use", "mcp_tool_use"];
// client calls LangChain.js keeps only as items of additional_kwargs.tool_outputs (shell_call, local_shell_call;
// apply_patch_call only from a response that is not streamed: a stream's converter drops it)
const OUTPUT_CALLS = ["shell_call", "local_shell_call", "apply_patch_call"];
// calls whose item says who runs them (`execution`), kept only in tool_outputs as well: a client tool search
const EXECUTION_CALLS = ["tool_search_call"];

function tools() {
  let names = [];
  try {
    names = JSON.parse(process.env.KIT_TOOLS || "[]");
  } catch {
    names = [];
  }
  names = [...new Set((Array.isArray(names) ? names : []).filter((n) => typeof n === "string" && n))];
  if (!names.length) names = ["get_weather"];
  return names.map((name) => ({
    type: "function",
    function: { name, description: `The ${name} tool.`, parameters: { type: "object" } },
  }));
}

let packages = null;

async function load() {
  packages ??= {
    openai: await importPackage("@langchain/openai"),
    anthropic: await importPackage("@langchain/anthropic"),
    stream: await importPackage("@langchain/core/utils/stream"),
  };
  return packages;
}

function model(api, pkgs) {
  if (api === ANTHROPIC) {
    return new pkgs.anthropic.ChatAnthropic({
      model: ANTHROPIC_MODEL,
      apiKey: process.env.ANTHROPIC_API_KEY,
      anthropicApiUrl: process.env.ANTHROPIC_BASE_URL,
      maxRetries: 0,
    });
  }
  return new pkgs.openai.ChatOpenAI({
    model: OPENAI_MODEL,
    apiKey: process.env.OPENAI_API_KEY,
    configuration: { baseURL: process.env.OPENAI_BASE_URL },
    maxRetries: 0,
    ...(api === RESPONSES ? { useResponsesApi: true } : {}),
  });
}

/** `[[chunk, call, valid]]` in tool_call_chunks order: LangChain derives tool_calls (parsed) and
 * invalid_tool_calls (raw) from those chunks, each list in the chunks' order (collapseToolCallChunks). */
function calls(full) {
  const valid = [...(full.tool_calls ?? [])];
  const invalid = [...(full.invalid_tool_calls ?? [])];
  const out = [];
  let v = 0;
  let i = 0;
  for (const chunk of full.tool_call_chunks ?? []) {
    // the raw arguments as collapseToolCallChunks joins them (`c.args || ""`, trimmed unless custom)
    const joined = String(chunk.args || "");
    const raw = chunk.isCustomTool ? joined : joined.trim();
    const bad = invalid[i];
    if (bad && (bad.id ?? null) === (chunk.id ?? null) && (bad.name ?? "") === (chunk.name ?? "") && bad.args === (raw || "{}")) {
      out.push([chunk, bad, false]);
      i += 1;
    } else if (v < valid.length) {
      out.push([chunk, valid[v], true]);
      v += 1;
    }
  }
  for (; v < valid.length; v += 1) out.push([null, valid[v], true]);
  for (; i < invalid.length; i += 1) out.push([null, invalid[i], false]);
  return out;
}

function toolOutputs(full) {
  const items = full.additional_kwargs?.tool_outputs;
  return Array.isArray(items) ? items.filter((x) => x && typeof x === "object") : [];
}

/** Who runs each Responses call, read per item as the reference does (harness.mjs isClientCall /
 * isServerTool): the items LangChain.js keeps raw (`response_metadata.output`, the completed response's
 * output list, else `additional_kwargs.tool_outputs`), the response's `tools` (`response_metadata.tools`,
 * copied from the completed response), and the call_ids whose output item came before the call. */
function runners(full) {
  const meta = full.response_metadata ?? {};
  const declared = Array.isArray(meta.tools) && meta.tools.length ? meta.tools : null;
  const output = Array.isArray(meta.output) ? meta.output.filter((x) => x && typeof x === "object") : null;
  const answered = new Set(); // call_ids whose output item came before the call
  const outputs = new Set();
  for (const item of output ?? toolOutputs(full)) {
    const callId = item.call_id;
    if (typeof callId !== "string" || !callId) continue;
    if (typeof item.type === "string" && item.type.endsWith("_output")) outputs.add(callId);
    else if (outputs.has(callId)) answered.add(callId);
  }
  const opts = { earlierOutputs: answered };
  const raw = new Map(); // call_id -> the raw call item
  for (const item of [...toolOutputs(full), ...(output ?? [])]) {
    if (typeof item.call_id === "string" && item.call_id && !String(item.type).endsWith("_output")) raw.set(item.call_id, item);
  }
  return {
    client: (item) => isClientCall(RESPONSES, item?.type, item, declared, opts),
    server: (item) => isServerTool(RESPONSES, item?.type, item, declared, opts),
    // a call of tool_calls / invalid_tool_calls that its raw item shows the server ran
    serverCall: (callId) => typeof callId === "string" && raw.has(callId)
      && isServerTool(RESPONSES, raw.get(callId).type, raw.get(callId), declared, opts),
  };
}

function addCall(plan, api, full, [chunk, call, valid], who) {
  const args = call.args;
  if (api === RESPONSES && who.serverCall(call.id)) return; // reported as a server tool from tool_outputs
  if (api === RESPONSES && valid) {
    if (chunk?.isCustomTool && args && typeof args === "object" && Object.keys(args).join() === "input"
      && typeof args.input === "string") {
      // LangChain.js's convention for a custom tool's free-text input: {input: text}
      plan.call(call.id, call.name, args.input, { freeForm: true });
      return;
    }
    const computer = toolOutputs(full).find((x) => x.type === "computer_call" && x.call_id === call.id);
    if (computer && args && typeof args === "object" && "action" in args) {
      plan.call(call.id, "computer", args.action);
      return;
    }
  }
  if (valid) {
    plan.call(call.id, call.name, args);
    return;
  }
  // an entry of invalid_tool_calls: LangChain's marker that the call cannot be run (its arguments did
  // not parse, or it has no id), kept with its raw arguments and flagged invalid whatever they hold
  const n = plan.calls.get(0) ?? 0;
  plan.calls.set(0, n + 1);
  const [cid, action] = [nameOrNull(call.id), nameOrNull(call.name)];
  const raw = typeof args === "string" ? args : args == null ? "" : JSON.stringify(args);
  say({ type: "tool_call.started", choice: 0, call: n, call_id: cid, action });
  say({ type: "tool_call.done", choice: 0, call: n, call_id: cid, action, arguments: raw, parameters: null,
    invalid_arguments: true });
}

function finishOf(api, full, who) {
  const meta = full.response_metadata ?? {};
  if (api === CHAT) return [meta.finish_reason, false];
  if (api === ANTHROPIC) return [meta.stop_reason ?? full.additional_kwargs?.stop_reason, false];
  const details = meta.incomplete_details;
  const reason = details && typeof details === "object" ? details.reason : null;
  const called = [...(full.tool_calls ?? []), ...(full.invalid_tool_calls ?? [])].some((c) => !who.serverCall(c.id))
    || toolOutputs(full).some((x) => [...OUTPUT_CALLS, ...EXECUTION_CALLS].includes(x.type) && who.client(x));
  return [responsesFinish(meta.status, reason, { calls: called }), true];
}

function report(api, full) {
  const plan = new PlanOf(api);
  if (!full) {
    // no chunk at all: an empty result, said as the empty Plan
    say({ type: "plan", api, choices: [], usage: null, error: null });
    return;
  }
  const all = calls(full);
  const byIndex = new Map();
  all.forEach(([chunk], n) => {
    if (chunk && chunk.index !== undefined && chunk.index !== null && !byIndex.has(chunk.index)) byIndex.set(chunk.index, n);
  });
  const used = new Set();
  const who = api === RESPONSES ? runners(full) : null;
  const content = full.content;
  if (typeof content === "string") plan.text(content);
  else {
    for (const block of Array.isArray(content) ? content : []) {
      if (typeof block === "string") {
        plan.text(block);
        continue;
      }
      if (!block || typeof block !== "object") continue;
      const kind = typeof block.type === "string" ? block.type : "";
      if (kind === "text") plan.text(block.text, 0, Number.isInteger(block.index) ? block.index : null);
      else if (kind === "tool_use") {
        const k = byIndex.get(block.index);
        if (k !== undefined && !used.has(k)) {
          used.add(k);
          addCall(plan, api, full, all[k], who);
        }
      } else if (isServerTool(api, kind) || (api === ANTHROPIC && SERVER_BLOCK_EXTRA.includes(kind))) {
        plan.serverTool({ type: kind, id: block.id ?? block.tool_use_id, name: typeof block.name === "string" ? block.name : null });
      }
    }
  }
  all.forEach((c, k) => {
    if (!used.has(k)) addCall(plan, api, full, c, who);
  });
  if (api === RESPONSES) {
    for (const item of toolOutputs(full)) {
      if ([...OUTPUT_CALLS, ...EXECUTION_CALLS].includes(item.type) && who.client(item)) {
        const action = ["action", "operation", "actions", "arguments"].map((k) => item[k]).find((x) => x !== undefined && x !== null);
        plan.call(item.call_id, item.type.slice(0, -"_call".length), action ?? null);
      } else if (who.server(item)) {
        plan.serverTool({ type: item.type, id: item.id, name: typeof item.name === "string" ? item.name : null });
      }
    }
    if (typeof full.additional_kwargs?.refusal === "string") plan.refusal(full.additional_kwargs.refusal);
  }
  const [reason, mapped] = finishOf(api, full, who);
  plan.finish(reason, 0, { mapped });
  const usage = full.usage_metadata;
  if (usage && typeof usage === "object") {
    const details = usage.input_token_details ?? {};
    plan.usage(usage.input_tokens, usage.output_tokens,
      { cacheRead: details.cache_read, cacheWrite: details.cache_creation, cacheInInput: true });
  }
  plan.end();
}

async function runCase(api) {
  const pkgs = await load();
  const modelWithTools = model(api, pkgs).bindTools(tools());
  let full;
  for await (const chunk of await modelWithTools.stream(MESSAGES)) {
    full = !full ? chunk : pkgs.stream.concat(full, chunk);
  }
  report(api, full);
}

serve([CHAT, RESPONSES, ANTHROPIC], runCase);
