#!/usr/bin/env node
// A streamed-response accumulator in plain Node.js, graded by toolstream-kit through its
// exec: protocol (kit-exec/1):
//
//   kit verify --adapter 'exec[apis=chat+anthropic,multi_choice=yes,name=node-example]:node examples/node/accumulate.js'
//
// The SSE body arrives on stdin as it is read; the wire API is in KIT_API. Output events
// are printed as JSON lines (schemas/events.schema.json) as soon as they happen:
// text.delta, tool_call.started / .arguments.delta / .done, refusal.delta,
// reasoning.delta, server_tool, usage, error, message.done. For an API this program does
// not handle it prints {"type": "skip", "reason": ...}.
//
// Handled: openai.chat.completions (any number of choices) and anthropic.messages.
// No npm dependencies.

"use strict";

const API = process.env.KIT_API || "openai.chat.completions";

let printed = 0;

function emit(event) {
  printed++;
  process.stdout.write(JSON.stringify(event) + "\n");
}

// Arguments as assembled -> [parameters, invalid]: "" and whitespace are {}, invalid JSON
// is null and reported, never repaired.
function parseArguments(text) {
  if (!text || /^\s*$/.test(text)) return [{}, false];
  try {
    return [JSON.parse(text), false];
  } catch (e) {
    return [null, true];
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const nonEmpty = (v) => (typeof v === "string" && v ? v : null);

// ---------------------------------------------------------------------------------------
// Server-sent events: lines end at CR, LF or CRLF (also a CRLF split across reads);
// bytes are decoded as UTF-8 only once a line is complete, so a character split across
// two reads survives. One leading byte order mark is stripped.
// ---------------------------------------------------------------------------------------

class SSEReader {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.pending = Buffer.alloc(0); // the start of a line whose end has not arrived
    this.skipLF = false; // the last read ended with CR: an LF opening the next belongs to it
    this.atStart = true;
    this.data = [];
    this.event = "";
    // ignoreBOM keeps a U+FEFF inside the stream: only the stream's own BOM is stripped
    this.decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  }

  feed(chunk) {
    if (!chunk.length) return;
    if (this.skipLF) {
      this.skipLF = false;
      if (chunk[0] === 0x0a) chunk = chunk.subarray(1);
    }
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let scanFrom = this.pending.length;
    if (this.atStart) {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      if (buf.length < 3 && bom.subarray(0, buf.length).equals(buf)) {
        this.pending = Buffer.from(buf);
        return; // it may be a BOM cut in two
      }
      this.atStart = false;
      if (buf.subarray(0, 3).equals(bom)) buf = buf.subarray(3);
      scanFrom = 0;
    }
    let start = 0;
    for (let i = scanFrom; i < buf.length; i++) {
      const b = buf[i];
      if (b !== 0x0a && b !== 0x0d) continue;
      this.line(buf.subarray(start, i));
      if (b === 0x0d) {
        if (i + 1 < buf.length) {
          if (buf[i + 1] === 0x0a) i++;
        } else {
          this.skipLF = true;
        }
      }
      start = i + 1;
    }
    this.pending = Buffer.from(buf.subarray(start)); // a copy: the read's buffer is not kept
  }

  end() {
    if (this.atStart) this.atStart = false;
    if (this.pending.length) {
      this.line(this.pending); // a last line without its line end
      this.pending = Buffer.alloc(0);
    }
    if (this.data.length) this.line(Buffer.alloc(0)); // a last event without its blank line
  }

  line(bytes) {
    if (!bytes.length) {
      if (this.data.length) {
        const name = this.event || "message";
        const data = this.data.join("\n");
        this.data = [];
        this.event = "";
        this.onEvent(name, data);
      } else {
        this.event = "";
      }
      return;
    }
    const text = this.decoder.decode(bytes);
    if (text[0] === ":") return; // comment: a keep-alive
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value[0] === " ") value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    // id, retry and unknown fields do not matter here
  }
}

// ---------------------------------------------------------------------------------------
// OpenAI Chat Completions
// ---------------------------------------------------------------------------------------

const CHAT_FINISH = {
  stop: "stop", tool_calls: "tool_calls", function_call: "tool_calls", length: "length",
  content_filter: "content_filter", error: "error",
};

function chatError(err) {
  if (isObject(err)) {
    const inner = isObject(err.error) ? err.error : err;
    return { type: inner.type ?? null, code: inner.code ?? null, message: inner.message ?? null };
  }
  return { type: null, code: null, message: String(err) };
}

function chatUsage(raw) {
  const out = {};
  for (const [src, dst] of [["prompt_tokens", "input_tokens"], ["completion_tokens", "output_tokens"],
    ["input_tokens", "input_tokens"], ["output_tokens", "output_tokens"]]) {
    if (isInt(raw[src]) && !(dst in out)) out[dst] = raw[src];
  }
  return out;
}

class ChatAccumulator {
  constructor() {
    this.choices = new Map();
    this.done = false; // saw [DONE]
    this.failed = false; // an error came in the stream
    this.lastUsage = null;
    this.problems = [];
  }

  choice(index) {
    let c = this.choices.get(index);
    if (!c) {
      c = { index, open: true, finishSeen: false, calls: [], byIndex: new Map(), byId: new Map(), last: null };
      this.choices.set(index, c);
    }
    return c;
  }

  event(name, data) {
    if (this.done) {
      this.problems.push("data after [DONE] ignored");
      return;
    }
    if (data.startsWith("[DONE]") && data.trim() === "[DONE]") {
      this.done = true;
      for (const c of this.choices.values()) {
        if (!c.open) continue;
        c.open = false;
        if (this.failed) {
          this.finish(c, "error");
        } else {
          this.dispatch(c); // no finish_reason ever came: [DONE] completes the calls
          if (!c.finishSeen) this.finish(c, null);
        }
      }
      return;
    }
    let obj;
    try {
      obj = JSON.parse(data);
    } catch (e) {
      this.problems.push(`data is not JSON: ${JSON.stringify(data.slice(0, 40))}; skipped`);
      return;
    }
    if (name === "error") {
      this.error(isObject(obj) && "error" in obj ? obj.error : obj);
      return;
    }
    if (!isObject(obj)) return;
    this.chunk(obj);
  }

  chunk(obj) {
    if (obj.error) this.error(obj.error);
    let usage = obj.usage;
    if ((usage === undefined || usage === null) && isObject(obj.x_groq) && isObject(obj.x_groq.usage)) {
      usage = obj.x_groq.usage;
    }
    if (isObject(usage)) {
      const raw = JSON.stringify(usage);
      if (raw !== this.lastUsage) {
        this.lastUsage = raw;
        emit({ type: "usage", usage: chatUsage(usage) });
      }
    }
    if (!Array.isArray(obj.choices)) return;
    for (const ch of obj.choices) {
      if (!isObject(ch)) continue;
      const c = this.choice(isInt(ch.index) ? ch.index : 0);
      if (isObject(ch.delta)) this.delta(c, ch.delta);
      if (typeof ch.finish_reason === "string" && ch.finish_reason) this.finishReason(c, ch.finish_reason);
    }
  }

  delta(c, delta) {
    for (const key of ["reasoning_content", "reasoning"]) {
      const r = nonEmpty(delta[key]);
      if (r) emit({ type: "reasoning.delta", choice: c.index, text: r });
    }
    if (Array.isArray(delta.reasoning_details)) {
      for (const d of delta.reasoning_details) {
        const r = isObject(d) ? nonEmpty(d.text || d.summary) : null;
        if (r) emit({ type: "reasoning.delta", choice: c.index, text: r });
      }
    }
    const content = delta.content;
    if (typeof content === "string") {
      this.text(c, content);
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (!isObject(part)) continue;
        if (part.type === "text" && typeof part.text === "string") {
          this.text(c, part.text);
        } else if (part.type === "thinking") {
          const pieces = typeof part.thinking === "string" ? [part.thinking]
            : Array.isArray(part.thinking) ? part.thinking.map((v) => (isObject(v) ? v.text : v)) : [];
          for (const p of pieces) {
            if (nonEmpty(p)) emit({ type: "reasoning.delta", choice: c.index, text: p });
          }
        }
      }
    }
    const refusal = nonEmpty(delta.refusal);
    if (refusal) emit({ type: "refusal.delta", choice: c.index, text: refusal });
    if (Array.isArray(delta.tool_calls)) {
      for (const frag of delta.tool_calls) {
        if (isObject(frag)) this.fragment(c, frag);
      }
    }
  }

  text(c, text) {
    if (!text) return;
    c.open = true;
    emit({ type: "text.delta", choice: c.index, text });
  }

  // Routing per the Plan conventions: by index; a different non-empty id at a used index
  // goes to the call with that id, else opens a new call if it brings a name (providers
  // that send every call at index 0), else is a placeholder id on a continuation. Without
  // an index: by id, else a new call for a new id with a name (or when none is open),
  // else the last call. id, name and type are set once; only arguments are appended.
  fragment(c, frag) {
    let index = frag.index;
    if (typeof index === "string" && /^[0-9]+$/.test(index)) index = parseInt(index, 10);
    else if (!isInt(index)) index = null;
    const id = nonEmpty(frag.id);
    const fn = isObject(frag.function) ? frag.function : {};
    const name = nonEmpty(fn.name);
    let call;
    if (index !== null) {
      call = c.byIndex.get(index);
      if (!call) {
        call = this.open(c, index);
      } else if (id && call.id && id !== call.id) {
        if (c.byId.has(id)) call = c.byId.get(id);
        else if (name) call = this.open(c, index);
      }
    } else {
      call = id ? c.byId.get(id) : undefined;
      if (!call) call = (id && name) || c.last === null ? this.open(c, null) : c.last;
    }
    c.open = true;
    if (call.done) return; // already dispatched
    const first = call.fragments === 0;
    call.fragments++;
    if (id && call.id === null) {
      call.id = id;
      if (!c.byId.has(id)) c.byId.set(id, call);
    }
    if (name && call.name === null) call.name = name;
    if (first) emit({ type: "tool_call.started", choice: c.index, call: call.ordinal, call_id: call.id, action: call.name });
    if ("arguments" in fn) {
      const args = fn.arguments;
      let piece = null;
      if (typeof args === "string") {
        piece = args || null;
      } else if (args !== null && args !== undefined && !call.hasValue && !call.pieces.length) {
        call.hasValue = true; // llama-server sends the arguments as a JSON value
        call.value = args;
        piece = JSON.stringify(args);
      }
      if (piece !== null) {
        call.pieces.push(piece);
        emit({ type: "tool_call.arguments.delta", choice: c.index, call: call.ordinal, delta: piece });
      }
    }
  }

  open(c, index) {
    const call = { ordinal: c.calls.length, id: null, name: null, pieces: [], hasValue: false, value: null,
      fragments: 0, done: false };
    c.calls.push(call);
    if (index !== null) c.byIndex.set(index, call);
    c.last = call;
    return call;
  }

  finishReason(c, raw) {
    const reason = Object.prototype.hasOwnProperty.call(CHAT_FINISH, raw) ? CHAT_FINISH[raw] : null;
    c.open = false;
    c.finishSeen = true;
    if (reason === "error") {
      this.failed = true;
      for (const call of c.calls) call.done = true; // the choice failed: nothing is run
    } else {
      this.dispatch(c);
    }
    this.finish(c, reason);
  }

  finish(c, reason) {
    emit({ type: "message.done", choice: c.index, finish_reason: reason });
  }

  dispatch(c) {
    for (const call of c.calls) {
      if (call.done) continue;
      call.done = true;
      const args = call.pieces.join("");
      let parameters, invalid;
      if (call.hasValue && call.pieces.length === 1) [parameters, invalid] = [call.value, false];
      else [parameters, invalid] = parseArguments(args);
      const ev = { type: "tool_call.done", choice: c.index, call: call.ordinal, call_id: call.id, action: call.name,
        arguments: args, parameters };
      if (invalid) {
        ev.invalid_arguments = true;
        this.problems.push(`arguments of call ${call.id} are not valid JSON`);
      }
      emit(ev);
    }
  }

  error(err) {
    this.failed = true;
    emit({ type: "error", choice: null, error: chatError(err) });
  }

  end() {
    if (this.done) return;
    const open = [...this.choices.values()].filter((c) => c.open);
    if (this.failed) {
      for (const c of open) {
        c.open = false;
        this.finish(c, "error");
      }
    } else if (open.length || !this.choices.size) {
      this.problems.push("stream ended without [DONE] before every choice finished: truncated; calls not run");
      for (const c of open) {
        c.open = false;
        if (!c.finishSeen) this.finish(c, null);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Anthropic Messages
// ---------------------------------------------------------------------------------------

const ANTH_STOP = {
  end_turn: "stop", stop_sequence: "stop", tool_use: "tool_calls", max_tokens: "length",
  model_context_window_exceeded: "length", refusal: "content_filter", pause_turn: "incomplete",
};
const SERVER_BLOCKS = new Set(["server_tool_use", "mcp_tool_use"]);
const isResultBlock = (t) => typeof t === "string" && (t.endsWith("_tool_result") || t === "container_upload");

class AnthropicAccumulator {
  constructor() {
    this.state = "BEFORE"; // BEFORE, STREAMING, STOPPED
    this.started = false;
    this.blocks = new Map(); // index -> block
    this.calls = 0;
    this.usage = {};
    this.stopSeen = false;
    this.startReason = null; // message.stop_reason of message_start (a continuation that arrives whole)
    this.failed = false;
    this.problems = [];
  }

  event(name, data) {
    if (data.trim() === "[DONE]") return; // a gateway appends the OpenAI sentinel
    let obj;
    try {
      obj = JSON.parse(data);
    } catch (e) {
      this.problems.push(`data is not JSON: ${JSON.stringify(data.slice(0, 40))}; skipped`);
      return;
    }
    if (!isObject(obj) || typeof obj.type !== "string") return;
    const t = obj.type; // routed by the payload's type: some proxies send no event: lines
    if (t === "error") {
      this.error(obj);
      return;
    }
    const kinds = { message_start: 1, content_block_start: 1, content_block_delta: 1, content_block_stop: 1,
      message_delta: 1, message_stop: 1 };
    if (!kinds[t]) return; // ping and event types not modelled
    if (this.state === "STOPPED") {
      this.problems.push(`${t} after message_stop ignored`);
      return;
    }
    this.state = "STREAMING";
    if (t === "message_start") this.start(obj);
    else if (t === "message_delta") this.messageDelta(obj);
    else if (t === "message_stop") {
      this.state = "STOPPED";
      this.endBlocks(!this.failed);
      if (!this.stopSeen && !this.failed) this.takeStartReason();
    } else this.blockEvent(obj);
  }

  start(obj) {
    if (this.started) return;
    this.started = true;
    const message = isObject(obj.message) ? obj.message : {};
    if (isObject(message.usage)) this.takeUsage(message.usage);
    if (nonEmpty(message.stop_reason)) this.startReason = message.stop_reason;
    // programmatic tool calling: a continuation can arrive whole, its blocks already in
    // message.content (a tool_use whose input is complete); they are blocks 0..n-1
    const content = Array.isArray(message.content) ? message.content : [];
    content.forEach((doc, index) => {
      const b = { index, state: "OPEN", type: null, id: null, name: null, parts: [], prefilled: undefined, ordinal: null, toolUseId: null };
      this.blocks.set(index, b);
      this.startBlock(b, doc);
      b.state = "STOPPED";
      this.finishBlock(b, true);
    });
  }

  // the finish message_start carried, when no message_delta brought one (none: null)
  takeStartReason() {
    this.stopSeen = true;
    const raw = this.startReason;
    const reason = raw && Object.prototype.hasOwnProperty.call(ANTH_STOP, raw) ? ANTH_STOP[raw] : null;
    emit({ type: "message.done", choice: 0, finish_reason: reason });
  }

  takeUsage(u) {
    const next = { ...this.usage };
    for (const key of ["input_tokens", "output_tokens"]) if (isInt(u[key])) next[key] = u[key];
    if (JSON.stringify(next) !== JSON.stringify(this.usage)) {
      this.usage = next;
      emit({ type: "usage", usage: { ...next } });
    }
  }

  messageDelta(obj) {
    if (isObject(obj.usage)) this.takeUsage(obj.usage); // cumulative totals: replaced, never added
    const delta = isObject(obj.delta) ? obj.delta : {};
    const raw = delta.stop_reason;
    if (typeof raw !== "string" || !raw) return;
    const reason = Object.prototype.hasOwnProperty.call(ANTH_STOP, raw) ? ANTH_STOP[raw] : null;
    if (raw === "max_tokens" || raw === "model_context_window_exceeded") {
      // the output limit cut the message: an open tool_use never got its whole input
      for (const b of this.sorted()) {
        if (b.state === "OPEN" && b.type === "tool_use") {
          b.state = "STOPPED";
          this.problems.push(`input of tool_use ${b.id} cut off by ${raw}; not run`);
        }
      }
    }
    this.endBlocks(!this.failed);
    this.stopSeen = true;
    emit({ type: "message.done", choice: 0, finish_reason: reason });
  }

  error(obj) {
    const inner = isObject(obj.error) ? obj.error : obj;
    emit({ type: "error", choice: null, error: { type: inner.type ?? null, code: inner.code ?? null, message: inner.message ?? null } });
    if (!this.failed) {
      this.failed = true;
      if (!this.stopSeen) emit({ type: "message.done", choice: 0, finish_reason: "error" });
    }
  }

  sorted() {
    return [...this.blocks.values()].sort((a, b) => a.index - b.index);
  }

  blockEvent(obj) {
    const t = obj.type;
    const index = obj.index;
    if (!isInt(index)) return;
    let b = this.blocks.get(index);
    if (!b) {
      b = { index, state: "NEW", type: null, id: null, name: null, parts: [], prefilled: undefined, ordinal: null, toolUseId: null };
      this.blocks.set(index, b);
    }
    if (t === "content_block_start") {
      if (b.state !== "NEW") return; // a second start for the same index is ignored
      b.state = "OPEN";
      this.startBlock(b, obj.content_block);
    } else if (t === "content_block_delta") {
      if (b.state === "STOPPED") return;
      if (b.state === "NEW") b.state = "OPEN"; // a delta for a block never started: keep what we can
      this.blockDelta(b, obj.delta);
    } else {
      if (b.state !== "OPEN") {
        b.state = "STOPPED";
        return;
      }
      b.state = "STOPPED";
      this.finishBlock(b, true);
    }
  }

  startBlock(b, doc) {
    if (!isObject(doc) || typeof doc.type !== "string") return;
    const t = (b.type = doc.type);
    if (t === "text") {
      if (nonEmpty(doc.text)) emit({ type: "text.delta", choice: 0, text: doc.text, item: b.index });
    } else if (t === "tool_use") {
      b.id = nonEmpty(doc.id);
      b.name = nonEmpty(doc.name);
      b.prefilled = doc.input;
      b.ordinal = this.calls++;
      emit({ type: "tool_call.started", choice: 0, call: b.ordinal, call_id: b.id, action: b.name });
    } else if (SERVER_BLOCKS.has(t)) {
      b.id = typeof doc.id === "string" ? doc.id : null;
      b.name = typeof doc.name === "string" ? doc.name : null;
    } else if (isResultBlock(t)) {
      b.toolUseId = typeof doc.tool_use_id === "string" ? doc.tool_use_id : null;
    } else if (t === "thinking" || t === "redacted_thinking") {
      if (nonEmpty(doc.thinking)) emit({ type: "reasoning.delta", choice: 0, text: doc.thinking });
    }
  }

  blockDelta(b, delta) {
    if (!isObject(delta)) return;
    const t = delta.type;
    if (b.type === null) {
      if (t === "text_delta") b.type = "text";
      else return;
    }
    if (t === "text_delta") {
      if (b.type === "text" && nonEmpty(delta.text)) emit({ type: "text.delta", choice: 0, text: delta.text, item: b.index });
    } else if (t === "input_json_delta") {
      if (b.type !== "tool_use" && !SERVER_BLOCKS.has(b.type)) return;
      const part = nonEmpty(delta.partial_json);
      if (part) {
        b.parts.push(part);
        if (b.ordinal !== null) emit({ type: "tool_call.arguments.delta", choice: 0, call: b.ordinal, delta: part });
      }
    } else if (t === "thinking_delta") {
      if (b.type === "thinking" && nonEmpty(delta.thinking)) emit({ type: "reasoning.delta", choice: 0, text: delta.thinking });
    }
  }

  endBlocks(dispatch) {
    for (const b of this.sorted()) {
      if (b.state !== "OPEN") continue;
      b.state = "STOPPED";
      this.finishBlock(b, dispatch);
    }
  }

  finishBlock(b, dispatch) {
    const t = b.type;
    if (t === "tool_use") {
      if (dispatch) this.dispatch(b);
    } else if (SERVER_BLOCKS.has(t)) {
      emit({ type: "server_tool", choice: 0, tool: { type: t, id: b.id, name: b.name } });
    } else if (isResultBlock(t)) {
      emit({ type: "server_tool", choice: 0, tool: { type: t, id: b.toolUseId, name: null } });
    }
  }

  dispatch(b) {
    const joined = b.parts.join("");
    const pre = b.prefilled;
    let args, parameters, invalid;
    if (!joined && isObject(pre) && Object.keys(pre).length) {
      // the whole input came in content_block_start and no deltas followed
      [args, parameters, invalid] = [JSON.stringify(pre), pre, false];
    } else {
      args = joined;
      [parameters, invalid] = parseArguments(args);
    }
    const ev = { type: "tool_call.done", choice: 0, call: b.ordinal, call_id: b.id, action: b.name, arguments: args, parameters };
    if (invalid) {
      ev.invalid_arguments = true;
      this.problems.push(`input of tool_use ${b.id} is not valid JSON`);
    }
    emit(ev);
  }

  end() {
    if (this.state === "STOPPED") return;
    if (this.failed) {
      this.endBlocks(false);
    } else if (this.stopSeen) {
      this.endBlocks(true); // message_delta came, message_stop did not: the message is complete
    } else if (this.startReason) {
      this.endBlocks(true); // message_start said how the message stopped
      this.takeStartReason();
    } else {
      this.problems.push("stream ended before a stop reason: truncated; open calls not run");
      this.endBlocks(false);
      emit({ type: "message.done", choice: 0, finish_reason: null });
    }
  }
}

// ---------------------------------------------------------------------------------------

function main() {
  const Accumulator = { "openai.chat.completions": ChatAccumulator, "anthropic.messages": AnthropicAccumulator }[API];
  if (!Accumulator) {
    emit({ type: "skip", reason: `this program handles openai.chat.completions and anthropic.messages, not ${API}` });
    return;
  }
  const acc = new Accumulator();
  let events = 0;
  const sse = new SSEReader((name, data) => {
    events++;
    acc.event(name, data);
  });
  process.stdin.on("data", (chunk) => sse.feed(chunk));
  process.stdin.on("error", (err) => {
    process.stderr.write(`cannot read the stream: ${err.message}\n`);
    process.exitCode = 2;
  });
  process.stdin.on("end", () => {
    sse.end();
    acc.end();
    for (const p of acc.problems) process.stderr.write(`warning: ${p}\n`);
    if (!events) {
      // nothing to go on: not one event in the body
      process.stderr.write("the body holds no server-sent event: not a stream this program can read\n");
      process.exitCode = 1;
    } else if (!printed) {
      // events, but none that says anything (e.g. only [DONE]): an empty plan
      emit({ type: "plan", api: API, choices: [], usage: null, error: null });
    }
  });
}

main();
