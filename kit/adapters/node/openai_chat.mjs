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
// With --worker it serves many cases (protocol kit-worker/1; harness.mjs). The openai package comes
// from NODE_PATH (which `kit matrix run` sets to its environment's node_modules,
// .kit/matrix/envs/node_openai/) or node_modules folders above the current one.
import { finishReason, importPackage, nameOrNull, parameters, planUsage, say, serve, text } from "./harness.mjs";

const API = "openai.chat.completions";
const MODEL = "gpt-4o-mini"; // any name: the replay server answers every model with the trace
const MESSAGES = [{ role: "user", content: "hi" }];

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
    const u = planUsage(API, completion.usage?.prompt_tokens, completion.usage?.completion_tokens);
    if (u) say({ type: "usage", usage: u });
  }
}

async function runCase() {
  const { OpenAI } = await importPackage("openai");
  const client = new OpenAI();
  const stream = client.chat.completions.stream({ model: MODEL, messages: MESSAGES });
  const mapper = new ChatEvents();
  mapper.attach(stream);
  const completion = await stream.finalChatCompletion();
  mapper.finish(completion);
}

serve([API], runCase);
