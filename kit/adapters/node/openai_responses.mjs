// openai-node's Responses stream helper over HTTP: the kit's `openai-node-responses` adapter.
//
//   node kit/adapters/node/openai_responses.mjs [--worker]    (run by kit verify as an http: adapter)
//
// What a user's program does, as openai-node's helpers guide shows streaming a Response:
// `new OpenAI({maxRetries: 0})` (base URL and key from OPENAI_BASE_URL and OPENAI_API_KEY, which the
// kit points at its replay server), `client.responses.stream({...})`, `for await (const event of
// stream)` as the events come, then `await stream.finalResponse()`. The request declares no tools
// (the replay server answers every request with the case's trace), so openai-node parses no
// arguments itself (its finalizeResponse parses only a strict or auto-parseable tool's arguments);
// the user's code parses them with JSON.parse (the Plan's conventions: "" -> {}, invalid -> null).
//
// The events are mapped as the Python SDK's row maps the same helper (kit/adapters/openai_sdk.py,
// Responses): `response.output_text.delta` -> text of its output item; `response.refusal.delta` ->
// refusal; a client call (who runs it decided per item, as the reference does: harness.mjs isClientCall
// with the item's execution / environment / name, the response's `tools` from `response.created`, and
// the call_ids of the output items before it; decided at the item's first sight) starts at its
// `response.output_item.added`, takes `response.function_call_arguments.delta`
// as its arguments, and is dispatched at its `response.output_item.done`, the one event that carries
// call_id, name and arguments together; a finished call item with status "incomplete" is cut off and
// not dispatched (the DO keeps what arrived); server-executed items at their `output_item.done` ->
// serverTool; an `error` event -> error and finish "error". The final response (what finalResponse()
// resolves with: openai-node's snapshot, replaced by the terminal event's response) gives the rest:
// a completed response dispatches every client call in its output that had no `output_item.done`;
// usage (input and output tokens); the finish from its status (responsesFinish: completed ->
// tool_calls when a call was dispatched, else stop; incomplete -> by incomplete_details.reason;
// failed -> its error and "error"; a stream with no terminal event leaves the snapshot "in_progress",
// no finish). After an error the finish stays "error". Nothing is repaired; an exception is the
// library's answer (harness.mjs reports it with the frame that raised it).
//
// Capabilities (openai/resources/responses/responses.d.ts): ordered yes (events in stream order,
// text per output_index; Response.output is the list of items in order); marks_undispatched yes
// (ResponseFunctionToolCall.status "incomplete" marks a call cut off); multi_choice no (a Response
// has no choices); holds_invalid_arguments yes (ResponseFunctionToolCall.arguments is the raw string).
import {
  importPackage, isClientCall, isServerTool, nameOrNull, parameters, planUsage, responsesFinish, say, serve, text,
} from "./harness.mjs";

const API = "openai.responses";
const MODEL = "gpt-4.1-mini"; // any name: the replay server answers every model with the trace
const INPUT = "hi";

const actionOf = (item) =>
  item.type === "function_call" || item.type === "custom_tool_call" ? nameOrNull(item.name) : item.type.slice(0, -"_call".length);

class ResponseEvents {
  constructor() {
    this.calls = new Map(); // output_index -> the call's position among the calls
    this.started = new Set(); // positions of calls that have a tool_call.started
    this.done = new Set(); // output_index of calls dispatched or closed
    this.dispatched = 0;
    this.failed = false;
    // who runs each call is decided per item (the reference's rule, harness.mjs isClientCall): the
    // response's declared tools (response.created), the call_ids of the output items so far, and the
    // decision taken at an item's first sight (a call started as the client's is not taken back)
    this.tools = null;
    this.outputs = new Set();
    this.runner = new Map(); // output_index -> a client call
  }

  seen(item) {
    const t = item?.type, callId = item?.call_id;
    if (typeof t === "string" && t.endsWith("_output") && typeof callId === "string" && callId) this.outputs.add(callId);
  }

  ordinal(outputIndex) {
    if (!this.calls.has(outputIndex)) this.calls.set(outputIndex, this.calls.size);
    return this.calls.get(outputIndex);
  }

  isClientCall(outputIndex, item) {
    if (this.runner.has(outputIndex)) return this.runner.get(outputIndex);
    const client = isClientCall(API, item?.type, item, this.tools, { earlierOutputs: this.outputs });
    if (Number.isInteger(outputIndex)) this.runner.set(outputIndex, client);
    return client;
  }

  dispatch(outputIndex, item) {
    const t = item.type;
    const n = this.ordinal(outputIndex);
    if (item.status === "incomplete") {
      // the finished item says the call was cut off: not to be run; the DO keeps what arrived
      if (!this.started.has(n)) {
        this.started.add(n);
        say({ type: "tool_call.started", choice: 0, call: n, call_id: nameOrNull(item.call_id), action: actionOf(item) });
        const arrived = text(t === "function_call" ? item.arguments : item.input);
        if (arrived && (t === "function_call" || t === "custom_tool_call")) {
          say({ type: "tool_call.arguments.delta", choice: 0, call: n, delta: arrived });
        }
      }
      this.done.add(outputIndex);
      return;
    }
    let raw, params, invalid;
    if (t === "function_call") {
      raw = text(item.arguments);
      [params, invalid] = parameters(raw);
    } else if (t === "custom_tool_call") {
      raw = text(item.input);
      [params, invalid] = [raw, false];
    } else if (typeof item.arguments === "string") {
      // a tool_search_call whose arguments are text (the reference parses them as a function call's)
      raw = item.arguments;
      [params, invalid] = parameters(raw);
    } else {
      const key = ["action", "operation", "actions", "arguments"].find((k) => k in item);
      params = key === undefined ? null : item[key];
      [raw, invalid] = [JSON.stringify(params ?? null), false];
    }
    this.done.add(outputIndex);
    this.dispatched += 1;
    say({ type: "tool_call.done", choice: 0, call: n, call_id: nameOrNull(item.call_id), action: actionOf(item),
      arguments: raw, parameters: params, invalid_arguments: invalid });
  }

  fail(error) {
    say({ type: "error", choice: null, error });
    if (!this.failed) {
      this.failed = true;
      say({ type: "message.done", choice: 0, finish_reason: "error" });
    }
  }

  event(e) {
    switch (e.type) {
      case "response.output_text.delta":
        if (e.delta) say({ type: "text.delta", choice: 0, text: String(e.delta), item: e.output_index ?? null });
        break;
      case "response.refusal.delta":
        if (e.delta) say({ type: "refusal.delta", choice: 0, text: String(e.delta) });
        break;
      case "response.created":
      case "response.in_progress":
        if (Array.isArray(e.response?.tools) && e.response.tools.length) this.tools = e.response.tools;
        break;
      case "response.output_item.added":
        this.seen(e.item);
        if (this.isClientCall(e.output_index, e.item)) {
          const n = this.ordinal(e.output_index);
          this.started.add(n);
          say({ type: "tool_call.started", choice: 0, call: n, call_id: nameOrNull(e.item.call_id), action: actionOf(e.item) });
        }
        break;
      case "response.function_call_arguments.delta":
        if (e.delta) {
          const n = this.ordinal(e.output_index);
          this.started.add(n); // the Plan opens the call at its first delta
          say({ type: "tool_call.arguments.delta", choice: 0, call: n, delta: String(e.delta) });
        }
        break;
      case "response.output_item.done": {
        const kind = e.item?.type;
        this.seen(e.item);
        if (this.isClientCall(e.output_index, e.item)) this.dispatch(e.output_index, e.item);
        else if (isServerTool(API, kind, e.item, this.tools, { earlierOutputs: this.outputs })) {
          say({ type: "server_tool", choice: 0, tool: { type: kind, id: nameOrNull(e.item.id),
            name: typeof e.item.name === "string" ? nameOrNull(e.item.name) : null } });
        }
        break;
      }
      case "error": {
        const nested = e.error && typeof e.error === "object" ? e.error : null;
        const inner = nested ?? e;
        this.fail({ type: nested ? inner.type ?? null : null, code: inner.code ?? null, message: inner.message ?? null });
        break;
      }
      default:
        break;
    }
  }

  // the final response: what openai-node resolves finalResponse() with
  finish(response) {
    const usage = planUsage(API, response?.usage?.input_tokens, response?.usage?.output_tokens);
    if (usage) say({ type: "usage", usage });
    const status = response?.status;
    if (status === "failed") {
      const err = response.error ?? {};
      this.fail({ type: err.type ?? null, code: err.code ?? null, message: err.message || "response failed" });
      return;
    }
    if (this.failed) return;
    if (status === "completed") {
      if (this.tools === null && Array.isArray(response.tools) && response.tools.length) this.tools = response.tools;
      (response.output ?? []).forEach((item, position) => {
        this.seen(item);
        if (!this.done.has(position) && this.isClientCall(position, item)) this.dispatch(position, item);
      });
    }
    const finish = responsesFinish(status, response?.incomplete_details?.reason, { calls: this.dispatched > 0 });
    if (finish !== null) say({ type: "message.done", choice: 0, finish_reason: finish });
  }
}

async function runCase() {
  const { OpenAI } = await importPackage("openai");
  const client = new OpenAI({ maxRetries: 0 });
  const stream = client.responses.stream({ model: MODEL, input: INPUT });
  const mapper = new ResponseEvents();
  for await (const event of stream) mapper.event(event);
  const response = await stream.finalResponse();
  mapper.finish(response);
}

serve([API], runCase);
