// openai-node's Chat Completions stream helper over HTTP: the kit's `openai-node-chat` adapter.
//
//   node kit/adapters/node/openai_chat.mjs     (run by kit verify as an http: adapter)
//
// What a user's program does, as openai-node's README shows streaming with tools:
// `new OpenAI()` with no arguments (base URL and key from OPENAI_BASE_URL and OPENAI_API_KEY,
// which the kit points at its replay server), `client.chat.completions.stream({...})`, its
// events as they come, then `await stream.finalChatCompletion()`. What the library gives is
// printed as the kit's output events, one JSON line each, as it arrives (protocol kit-exec/1),
// mapped as the Python SDK's adapter maps the same events (kit/adapters/openai_sdk.py):
// text and refusal deltas, a call started with its first arguments delta, a call done when
// the helper says so (or, for a call it never finished, from the final completion), each
// choice's finish reason and the usage from the final completion. Where the helper's events
// cannot be placed they are left to the final completion: an event whose call has no integer
// index, and a call's deltas the helper passes on after it said the call was done (the done
// event carried its arguments). Arguments are parsed with JSON.parse, as a JavaScript user's
// code parses them (the Plan's conventions: "" -> {}, invalid -> null). Nothing is repaired. An
// exception is the library's answer: its message is the last line of stderr and the exit
// status is 1 (the kit records "this stream is broken").
//
// The openai package is found the way Node finds packages, plus NODE_PATH (which
// `kit matrix run` sets to its environment's node_modules, .kit/matrix/envs/node_openai/).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const API = "openai.chat.completions";
const MODEL = "gpt-4o-mini"; // any name: the replay server answers every model with the trace
const MESSAGES = [{ role: "user", content: "hi" }];
// the Chat Completions finish reasons as the kit's reference reads them (kit/reference/chat.py)
const FINISH = { stop: "stop", tool_calls: "tool_calls", length: "length", content_filter: "content_filter",
  function_call: "tool_calls", error: "error" };

const say = (event) => process.stdout.write(JSON.stringify(event) + "\n");
const nameOrNull = (value) => (value === undefined || value === null || value === "" ? null : String(value));

function finishReason(value) {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") return String(value);
  return FINISH[value.toLowerCase()] ?? value;
}

// an argument value as text: a string as it is, null/undefined as empty, a JSON value as JSON
const text = (value) => (typeof value === "string" ? value : value == null ? "" : JSON.stringify(value));

function parameters(raw) {
  // the Plan's convention (kit/plan.py): "" -> {}; invalid JSON -> null, marked invalid, never repaired
  if (!raw || !raw.trim()) return [{}, false];
  try {
    return [JSON.parse(raw), false];
  } catch {
    return [null, true];
  }
}

function usage(u) {
  if (!u || typeof u !== "object") return null;
  const out = {};
  for (const [src, dst] of [["prompt_tokens", "input_tokens"], ["completion_tokens", "output_tokens"]]) {
    if (Number.isInteger(u[src]) && !(dst in out)) out[dst] = u[src];
  }
  return out;
}

async function loadOpenAI() {
  // the package's ES module entry (its package.json "exports"), found from here or NODE_PATH
  const require = createRequire(import.meta.url);
  const main = require.resolve("openai"); // the CommonJS entry, at the package's root
  const dir = dirname(main);
  const dot = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports?.["."];
  const esm = typeof dot === "string" ? dot : typeof dot?.import === "string" ? dot.import
    : typeof dot?.import?.default === "string" ? dot.import.default : typeof dot?.default === "string" ? dot.default : null;
  const mod = await import(pathToFileURL(esm ? join(dir, esm) : main).href);
  return mod.OpenAI ?? mod.default;
}

class ChatEvents {
  constructor() {
    this.chunk = null;
    this.snapshot = null;
    this.claimed = new Set();
    this.started = new Set();
    this.done = new Set();
  }

  message(choice) {
    return this.snapshot?.choices?.[choice]?.message ?? null;
  }

  call(choice, index) {
    const calls = this.message(choice)?.tool_calls ?? [];
    return index >= 0 && index < calls.length ? calls[index] : null;
  }

  // the choice of the current chunk an event belongs to (the helper's events do not say)
  pick(what, matches) {
    const choices = this.chunk?.choices ?? [];
    if (choices.length === 1) return choices[0].index;
    const candidates = choices.filter((c) => matches(c, this.message(c.index))).map((c) => c.index);
    for (const index of candidates) {
      const key = `${what}/${index}`;
      if (!this.claimed.has(key)) {
        this.claimed.add(key);
        return index;
      }
    }
    if (candidates.length) return candidates[0];
    return choices.length ? choices[0].index : 0;
  }

  callDone(choice, call, callId, name, args) {
    const raw = text(args);
    const [params, invalid] = parameters(raw);
    say({ type: "tool_call.done", choice, call, call_id: nameOrNull(callId), action: nameOrNull(name),
      arguments: raw, parameters: params, invalid_arguments: invalid });
  }

  attach(stream) {
    stream.on("chunk", (chunk, snapshot) => {
      this.chunk = chunk;
      this.snapshot = snapshot;
      this.claimed = new Set();
    });
    stream.on("content.delta", (e) => {
      const c = this.pick("content", (ch, m) => ch.delta?.content === e.delta && m !== null && m.content === e.snapshot);
      if (typeof e.delta === "string" && e.delta) say({ type: "text.delta", choice: c, text: e.delta, item: null });
    });
    stream.on("refusal.delta", (e) => {
      const c = this.pick("refusal", (ch) => ch.delta?.refusal === e.delta);
      if (e.delta) say({ type: "refusal.delta", choice: c, text: e.delta });
    });
    stream.on("tool_calls.function.arguments.delta", (e) => {
      // a call the helper cannot place (no integer index) is left to the final completion
      if (!Number.isInteger(e.index)) return;
      const c = this.pick(`delta${e.index}`, (ch) => (ch.delta?.tool_calls ?? []).some((tc) => tc?.index === e.index));
      const key = `${c}/${e.index}`;
      // the helper can say a call is done before it passes on that call's deltas (a chunk with
      // several whole calls): the done event carried the call's arguments, its deltas add nothing
      if (this.done.has(key)) return;
      if (!this.started.has(key)) {
        this.started.add(key);
        say({ type: "tool_call.started", choice: c, call: e.index, call_id: nameOrNull(this.call(c, e.index)?.id),
          action: nameOrNull(e.name) });
      }
      if (e.arguments_delta) say({ type: "tool_call.arguments.delta", choice: c, call: e.index, delta: text(e.arguments_delta) });
    });
    stream.on("tool_calls.function.arguments.done", (e) => {
      if (!Number.isInteger(e.index)) return;
      const c = this.pick(`done${e.index}`, (ch) => {
        const fn = this.call(ch.index, e.index)?.function;
        return fn != null && fn.arguments === e.arguments && fn.name === e.name;
      });
      this.done.add(`${c}/${e.index}`);
      this.callDone(c, e.index, this.call(c, e.index)?.id, e.name, e.arguments);
    });
  }

  finish(completion) {
    for (const choice of completion.choices ?? []) {
      (choice.message?.tool_calls ?? []).forEach((tc, k) => {
        if (!this.done.has(`${choice.index}/${k}`)) this.callDone(choice.index, k, tc?.id, tc?.function?.name, tc?.function?.arguments);
      });
      say({ type: "message.done", choice: choice.index, finish_reason: finishReason(choice.finish_reason) });
    }
    const u = usage(completion.usage);
    if (u) say({ type: "usage", usage: u });
  }
}

async function main() {
  const wanted = process.env.KIT_API;
  if (wanted && wanted !== API) {
    say({ type: "skip", reason: `this client makes ${API} requests, not ${wanted}` });
    return 0;
  }
  const OpenAI = await loadOpenAI();
  const client = new OpenAI();
  const stream = client.chat.completions.stream({ model: MODEL, messages: MESSAGES });
  const mapper = new ChatEvents();
  mapper.attach(stream);
  const completion = await stream.finalChatCompletion();
  mapper.finish(completion);
  return 0;
}

function where(error) {
  // the innermost cause: the helper re-raises what went wrong as an OpenAIError with it as `cause`
  while (error?.cause instanceof Error) error = error.cause;
  const frame = /\n\s+at (?:async )?(?:(\S[^\n]*?) \()?(?:file:\/\/)?([^()\s]+?):(\d+):\d+\)?/.exec(String(error?.stack ?? ""));
  if (!frame) return "";
  const file = frame[2].split(/[\\/]/).pop();
  return ` (at ${file}:${frame[3]} in ${frame[1] ?? "<module>"})`;
}

main().then(
  (status) => { process.exitCode = status; },
  (error) => {
    const text = String(error?.stack ?? error);
    process.stderr.write(text + "\n");
    let inner = error;
    while (inner?.cause instanceof Error) inner = inner.cause;
    const message = String(error?.message ?? error).split(/\s+/).join(" ").trim();
    // the last line, what the kit reports: the exception and the frame that raised it, said as
    // the Python adapters say it ("(at file:line in function)")
    process.stderr.write(`${inner?.name ?? "Error"}: ${message}${where(error)}\n`);
    process.exitCode = 1;
  },
);
