// What every bundled Node program shares: the kit's output events, the Plan conventions, package
// loading from the matrix environment, and the two ways of running (one case, or a warm worker).
//
// A program is the code a user writes with its library for one streaming request, as a function
// `runCase(api)` that constructs the client from the environment (the kit points OPENAI_BASE_URL /
// ANTHROPIC_BASE_URL at its replay server), consumes the stream and reports what the library gave
// with `say(...)` or a `PlanOf`. It ends with
//
//     serve(["openai.chat.completions"], runCase);
//
// which runs one case (protocol kit-exec/1: the events on stdout; what the client raised on stderr,
// its last line the exception and the frame that raised it, exit status 1), or, with `--worker`,
// serves case after case over stdin/stdout (protocol kit-worker/1, conformance.md section 8.2a):
// the library is imported once, each case's variables are set in process.env before the case runs.
//
// The kit's own tables (finish vocabulary, server-executed item and block types) come from the
// launcher (`python -m kit.adapters.node`, variable KIT_NODE_CONVENTIONS), so that a program reads
// them exactly as the Python adapters do (kit/adapters/client.py); tests/test_node_adapters.py
// checks the rules below against the Python ones.
import { readFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

export const say = (event) => process.stdout.write(JSON.stringify(event) + "\n");

// ---- the Plan conventions (kit/plan.py, kit/adapters/client.py) -------------------------------------------

const CONVENTIONS = (() => {
  try {
    return JSON.parse(process.env.KIT_NODE_CONVENTIONS || "{}");
  } catch {
    return {};
  }
})();

/** An id or name as the Plan holds it: missing, null or "" -> null; anything else as text. */
export const nameOrNull = (value) => (value === undefined || value === null || value === "" ? null : String(value));

/** An argument value as text: a string as it is, null/undefined as empty, any other value as JSON. */
export const text = (value) => (typeof value === "string" ? value : value == null ? "" : JSON.stringify(value));

/** Raw arguments parsed as the Plan does: "" -> {}; invalid JSON -> null, marked invalid; never repaired. */
export function parameters(raw) {
  if (!raw || !raw.trim()) return [{}, false];
  try {
    return [JSON.parse(raw), false];
  } catch {
    return [null, true];
  }
}

/** A library's finish or stop reason in the Plan's vocabulary (client.finish_reason). */
export function finishReason(value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return String(value);
  if (!value) return null;
  // a value the table maps to null (Gemini's FINISH_REASON_UNSPECIFIED) is none, as client.py reads it
  const table = CONVENTIONS.finish ?? {};
  const key = value.toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : value;
}

/** The finish of a Responses stream from the status a library kept (client.responses_finish). */
export function responsesFinish(status, incompleteReason, { calls }) {
  if (status === "completed") return calls ? "tool_calls" : "stop";
  if (status === "incomplete") {
    return typeof incompleteReason === "string" ? (CONVENTIONS.incomplete_reasons ?? {})[incompleteReason] ?? "incomplete"
      : "incomplete";
  }
  if (status === "failed") return "error";
  return null;
}

/** What a Responses response's `tools` (echoed in `response.created`) say about who runs a call
 * (reference/responses.py Tools): the tool-search tool's `execution`, whether the shell tool runs in a
 * hosted container, and the names of the tools declared (null when unknown: no list, an empty one, or a
 * tool search that may load more). Accepts the list, or an already read ResponseTools. */
export class ResponseTools {
  constructor(tools = null) {
    this.searchExecution = null;
    this.hostedShell = false;
    this.names = null;
    if (!Array.isArray(tools) || !tools.length) return;
    const names = new Set();
    let searchable = false;
    for (const tool of tools) {
      if (!isPlain(tool)) continue;
      if (tool.type === "tool_search") {
        searchable = true;
        if (tool.execution === "client" || tool.execution === "server") this.searchExecution = tool.execution;
      } else if (tool.type === "shell") {
        const env = tool.environment;
        this.hostedShell = isPlain(env) && typeof env.type === "string" && env.type !== "local";
      }
      collectNames(tool, names);
    }
    this.names = searchable ? null : names;
  }

  static of(tools) {
    return tools instanceof ResponseTools ? tools : new ResponseTools(tools);
  }
}

const isPlain = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

function collectNames(doc, out) {
  // every `name` in a tool definition (a namespace holds its functions)
  if (Array.isArray(doc)) for (const v of doc) collectNames(v, out);
  else if (isPlain(doc)) {
    if (typeof doc.name === "string") out.add(doc.name);
    for (const v of Object.values(doc)) if (v !== null && typeof v === "object") collectNames(v, out);
  }
}

/** Whether a Responses item of type `t` is a server-executed tool whatever the item says
 * (reference/responses.py is_server_item): the known ones, and any other `*_call` or `mcp_*` that is not
 * a client call nor a call whose `execution` says who ran it (tool_search_call). */
function isServerType(t) {
  const c = CONVENTIONS;
  if ((c.server_tools ?? []).includes(t)) return true;
  if ((c.client_calls ?? []).includes(t) || (c.execution_calls ?? []).includes(t)) return false;
  return t.endsWith("_call") || t.startsWith("mcp_");
}

/** Who runs the call a Responses item describes (reference/responses.py item_runner): "client" (a DO),
 * "server" (a server tool) or null (not a call). `item`: the item as the library kept it (a plain
 * object; null: decided by type, with the rule's defaults); `tools`: the response's `tools` list (or a
 * ResponseTools), null when unknown. The other signal, a call's output item earlier in the response, is
 * the caller's to apply (its call_id among the outputs seen: the server ran it). */
export function itemRunner(type, item = null, tools = null) {
  const t = typeof type === "string" && type ? type : isPlain(item) && typeof item.type === "string" ? item.type : null;
  if (!t) return null;
  const doc = isPlain(item) ? item : {}; // `type` names the item's type (as client.py's helper reads it)
  const tl = ResponseTools.of(tools);
  const c = CONVENTIONS;
  if ((c.execution_calls ?? []).includes(t)) {
    return doc.execution === "client" || doc.execution === "server" ? doc.execution : tl.searchExecution ?? "server";
  }
  if (t === "shell_call") {
    const env = doc.environment;
    if (isPlain(env) && typeof env.type === "string") return env.type === "local" ? "client" : "server";
    return tl.hostedShell ? "server" : "client";
  }
  if (t === "custom_tool_call") {
    const name = doc.name;
    return tl.names !== null && typeof name === "string" && name && !tl.names.has(name) ? "server" : "client";
  }
  if ((c.client_calls ?? []).includes(t)) return "client";
  if (t === "tool_search_output") {
    // the server's search result; a client's answer is never in the stream
    const execution = doc.execution === "client" || doc.execution === "server" ? doc.execution : tl.searchExecution;
    return execution === "client" ? null : "server";
  }
  return isServerType(t) ? "server" : null;
}

/** Whether an output item (Responses) or content block (Anthropic) is a server-executed tool, never a
 * DO: the reference's classification (reference/responses.py item_runner, reference/anthropic.py
 * is_server_block; kit/adapters/client.py is_server_tool). Responses: with the item (`execution`,
 * `environment`, `name`, `call_id`), the response's `tools` and `earlierOutputs` (a Set of the call_ids of
 * the output items before it: outputCallIds), per item; without them, by type with the rule's defaults
 * (tool_search_* -> server, shell_call and custom_tool_call -> client). */
export function isServerTool(api, type, item = null, tools = null, { earlierOutputs = null } = {}) {
  if (typeof type !== "string" || !type) return false;
  const c = CONVENTIONS;
  if (api === "openai.responses") return runnerOf(type, item, tools, earlierOutputs) === "server";
  if (api === "anthropic.messages") {
    return (c.server_blocks ?? []).includes(type) || type.endsWith("_tool_result") || type === "container_upload";
  }
  return false;
}

/** Whether a Responses item is a call for the client to run (a DO): itemRunner(...) === "client". */
export function isClientCall(api, type, item = null, tools = null, { earlierOutputs = null } = {}) {
  return api === "openai.responses" && typeof type === "string" && !!type
    && runnerOf(type, item, tools, earlierOutputs) === "client";
}

function runnerOf(type, item, tools, earlierOutputs) {
  // itemRunner, then: a call whose output item came first in the same response was run by the server
  const runner = itemRunner(type, item, tools);
  const callId = isPlain(item) ? item.call_id : undefined;
  if (runner === "client" && earlierOutputs && typeof callId === "string" && earlierOutputs.has(callId)) return "server";
  return runner;
}

/** The call_ids of the call output items (`*_output`) in a Responses output list: a call answered in
 * the same response was run by the server (resp-server-run-call). */
export function outputCallIds(output) {
  const ids = new Set();
  for (const item of Array.isArray(output) ? output : []) {
    if (isPlain(item) && typeof item.type === "string" && item.type.endsWith("_output")
      && typeof item.call_id === "string" && item.call_id) ids.add(item.call_id);
  }
  return ids;
}

/** Usage in the Plan's terms (client.plan_usage): integer counts only; none at all -> null. */
export function planUsage(api, input, output, { cacheRead, cacheWrite, cacheInInput = false } = {}) {
  const doc = {};
  if (Number.isInteger(input)) doc.input_tokens = input;
  if (Number.isInteger(output)) doc.output_tokens = output;
  if (cacheInInput && api === "anthropic.messages" && "input_tokens" in doc) {
    const cached = [cacheRead, cacheWrite].filter(Number.isInteger).reduce((a, b) => a + b, 0);
    if (cached && cached <= doc.input_tokens) doc.input_tokens -= cached;
  }
  return Object.keys(doc).length ? doc : null;
}

/**
 * What a library's final result gave, printed as the kit's output events in order (the JavaScript
 * counterpart of kit.adapters.client.PlanOf; the kit builds the Plan from the events):
 *
 *     const p = new PlanOf(api);
 *     p.text("Let me check.");
 *     p.call("call_1", "get_weather", '{"city": "Paris"}');   // raw text, or the parsed value
 *     p.finish("tool_calls");
 *     p.end();
 */
export class PlanOf {
  constructor(api) {
    this.api = api;
    this.calls = new Map();
    this.finished = new Set();
  }

  text(value, choice = 0, item = null) {
    if (value) say({ type: "text.delta", choice, text: String(value), item });
    return this;
  }

  refusal(value, choice = 0) {
    if (value) say({ type: "refusal.delta", choice, text: String(value) });
    return this;
  }

  /** One tool call, numbered in the order given per choice. `args`: the raw text (parsed by the
   * conventions) or the value the library parsed. `freeForm`: the input is free text (a Responses
   * custom_tool_call). `dispatched: false`: the library flags the call as not to be run. */
  call(callId, name, args, { choice = 0, freeForm = false, dispatched = true } = {}) {
    const n = this.calls.get(choice) ?? 0;
    this.calls.set(choice, n + 1);
    let raw, params, invalid;
    if (freeForm && typeof args === "string") [raw, params, invalid] = [args, args, false];
    else if (args === undefined || args === null) [raw, params, invalid] = ["", {}, false];
    else if (typeof args === "string") [raw, [params, invalid]] = [args, parameters(args)];
    else [raw, params, invalid] = [JSON.stringify(args), JSON.parse(JSON.stringify(args)), false];
    const cid = nameOrNull(callId);
    const action = nameOrNull(name);
    say({ type: "tool_call.started", choice, call: n, call_id: cid, action });
    if (!dispatched) {
      if (raw) say({ type: "tool_call.arguments.delta", choice, call: n, delta: raw });
      return this;
    }
    say({ type: "tool_call.done", choice, call: n, call_id: cid, action, arguments: raw, parameters: params,
      invalid_arguments: invalid });
    return this;
  }

  serverTool(tool, choice = 0) {
    say({ type: "server_tool", choice, tool: { type: tool.type ?? null, id: nameOrNull(tool.id), name: nameOrNull(tool.name) } });
    return this;
  }

  usage(input, output, options) {
    const doc = planUsage(this.api, input, output, options);
    if (doc) say({ type: "usage", usage: doc });
    return this;
  }

  error(message, { choice = null, type = null } = {}) {
    say({ type: "error", choice, error: { type, code: null, message: message ? String(message) : null } });
    return this;
  }

  /** End a choice with a finish reason (mapped by finishReason), or `{mapped: true}` for a value
   * already in the Plan's vocabulary (responsesFinish). */
  finish(reason, choice = 0, { mapped = false } = {}) {
    this.finished.add(choice);
    say({ type: "message.done", choice, finish_reason: mapped ? reason ?? null : finishReason(reason) });
    return this;
  }

  /** Finish every choice that has calls but no finish yet (as PlanOf.plan() does). */
  end() {
    for (const choice of this.calls.keys()) if (!this.finished.has(choice)) this.finish(null, choice);
  }
}

// ---- packages ---------------------------------------------------------------------------------------------

function exportTarget(value) {
  // a package.json "exports" condition tree, read with the conditions of an ES module import in Node
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportTarget(v);
      if (t) return t;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [condition, v] of Object.entries(value)) {
      if (["import", "node", "default", "module-sync"].includes(condition)) {
        const t = exportTarget(v);
        if (t) return t;
      }
    }
  }
  return null;
}

function packageRoots() {
  // NODE_PATH (kit matrix run sets it to the environment's node_modules), then node_modules folders
  // from the current folder upwards: where a user's own program would find its packages
  const roots = (process.env.NODE_PATH ?? "").split(delimiter).filter(Boolean);
  let dir = process.cwd();
  for (;;) {
    roots.push(join(dir, "node_modules"));
    const up = join(dir, "..");
    if (up === dir) break;
    dir = up;
  }
  return roots;
}

/** Import a package (or a subpath such as "@langchain/core/messages") as an ES module, from the
 * matrix environment's node_modules: what `import ... from "<spec>"` gives a user's program. */
// The tool names the case's request declared (KIT_TOOLS: a JSON list the launcher sets from the stream's
// calls), for clients that check a call against the tools they were given; [] when unset or unreadable.
export function toolNames() {
  let names = [];
  try {
    names = JSON.parse(process.env.KIT_TOOLS || "[]");
  } catch {
    return [];
  }
  return Array.isArray(names) ? names.filter((name) => typeof name === "string" && name) : [];
}

export async function importPackage(spec) {
  const parts = spec.split("/");
  const nameLength = spec.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = parts.length > nameLength ? "./" + parts.slice(nameLength).join("/") : ".";
  for (const root of packageRoots()) {
    const dir = join(root, name);
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    let target = null;
    if (pkg.exports !== undefined) {
      const exp = pkg.exports;
      const keyed = exp && typeof exp === "object" && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith("."));
      target = exportTarget(keyed ? exp[subpath] : subpath === "." ? exp : undefined);
    } else {
      target = subpath === "." ? pkg.module ?? pkg.main ?? "index.js" : subpath;
    }
    if (!target) throw new Error(`${spec}: the package ${name} exports no ${subpath} for an ES module import`);
    return import(pathToFileURL(join(dir, target)).href);
  }
  throw new Error(`cannot find the package ${name} (kit matrix build builds the Node environment; NODE_PATH names its node_modules)`);
}

// ---- running: one case, or a worker -----------------------------------------------------------------------

function where(error) {
  // the frame that raised, said as the Python adapters say it: " (at file:line in function)"
  const frame = /\n\s+at (?:async )?(?:(\S[^\n]*?) \()?(?:file:\/\/)?([^()\s]+?):(\d+):\d+\)?/.exec(String(error?.stack ?? ""));
  if (!frame) return "";
  const file = frame[2].split(/[\\/]/).pop();
  return ` (at ${file}:${frame[3]} in ${frame[1] ?? "<module>"})`;
}

/** The line the kit reports for what a client raised: the innermost cause's type (a library re-raises
 * what went wrong with it as `cause`), the message on one line (at most 500 characters), and the
 * frame that raised it. */
export function said(error) {
  const chain = [error];
  while (chain.at(-1)?.cause instanceof Error) chain.push(chain.at(-1).cause);
  const inner = chain.at(-1);
  let message = String(error?.message ?? error).split(/\s+/).join(" ").trim();
  if (message.length > 500) message = message.slice(0, 497) + "...";
  // the frame: the innermost error's, or (a validation error built without a stack, e.g. zod's) the
  // innermost one around it that has a frame
  const frame = chain.slice().reverse().map(where).find(Boolean) ?? "";
  return `${inner?.name ?? "Error"}: ${message}${frame}`;
}

let escaped = null; // an error raised outside the case's own promise chain (an event handler, a timer)

async function runOne(apis, runCase) {
  const wanted = process.env.KIT_API;
  if (wanted && !apis.includes(wanted)) {
    say({ type: "skip", reason: `this client makes ${apis.join(" or ")} requests, not ${wanted}` });
    return null;
  }
  escaped = null;
  let failure = null;
  try {
    await runCase(wanted || apis[0]);
  } catch (error) {
    failure = error;
  }
  // an error that escaped the case's promises (which would end a one-shot program) is the case's answer
  await new Promise((resolve) => setImmediate(resolve));
  failure ??= escaped;
  escaped = null;
  if (failure === null) return null;
  const line = said(failure);
  process.stderr.write(String(failure?.stack ?? failure) + "\n" + line + "\n");
  return line;
}

async function serveCases(apis, runCase) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line);
    Object.assign(process.env, c.env); // the client is constructed per case from the environment
    const failure = await runOne(apis, runCase);
    say(failure === null ? { type: "end", id: c.id } : { type: "end", id: c.id, status: 1, error: failure });
  }
}

/** Run the program: one case, or (`--worker`) cases until stdin closes. `apis`: the wire APIs the
 * client makes requests to (another KIT_API is a skip, with the reason). */
export function serve(apis, runCase) {
  const worker = process.argv.includes("--worker");
  // stdout carries the kit's events only: what a library prints with console.log / info / debug
  // (LangChain.js prints its warnings so) goes to stderr, as console.warn / error already do
  for (const name of ["log", "info", "debug"]) console[name] = (...args) => console.error(...args);
  for (const signal of ["unhandledRejection", "uncaughtException"]) {
    process.on(signal, (error) => {
      if (worker) escaped ??= error;
      else {
        process.stderr.write(String(error?.stack ?? error) + "\n" + said(error) + "\n");
        process.exit(1);
      }
    });
  }
  const run = worker ? serveCases(apis, runCase).then(() => 0) : runOne(apis, runCase).then((f) => (f === null ? 0 : 1));
  run.then((status) => {
    process.exitCode = status;
  });
}
