// The glue between toolstream-kit and your code (accumulate.ts): a warm worker (protocol
// kit-worker/1, toolstream-kit's conformance.md section 8.2a). The kit starts it once with
// KIT_WORKER=1 and writes one case per line on stdin; for each, the worker streams a Chat
// Completions request from the case's base URL (the kit's replay server) through openai-node
// into your accumulator, prints the turn as the kit's output events (one JSON line each), then an
// end line with the case's id. What your code throws is its answer: the end line says status 1.
// Without KIT_WORKER it runs one case from the environment (OPENAI_BASE_URL), as an http: program.
//
//   kit verify -a 'http[worker=yes,apis=chat,multi_choice=no,ordered=no,marks_undispatched=no,name=my-accumulator]:node examples/typescript/dist/kit-worker.js'
import OpenAI from "openai";
import { createInterface } from "node:readline";
import { TurnAccumulator } from "./accumulate.js";

interface Case {
  type: "case";
  id: number;
  base_url: string;
}

const print = (line: object): void => {
  process.stdout.write(JSON.stringify(line) + "\n");
};

function parse(text: string): [unknown, boolean] {
  // the kit's Plan conventions: "" -> {}, invalid JSON -> null and marked invalid, never repaired
  if (!text.trim()) return [{}, false];
  try {
    return [JSON.parse(text), false];
  } catch {
    return [null, true];
  }
}

async function runCase(baseURL: string): Promise<void> {
  const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? "kit", maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "What is the weather in Paris?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const accumulator = new TurnAccumulator();
  for await (const chunk of stream) accumulator.push(chunk);
  const turn = accumulator.result();
  // the turn as the kit's output events (toolstream-kit's schemas/events.schema.json)
  if (turn.text) print({ type: "text.delta", choice: 0, text: turn.text });
  turn.toolCalls.forEach((call, n) => {
    const [parameters, invalid] = parse(call.arguments);
    print({ type: "tool_call.started", choice: 0, call: n, call_id: call.id || null, action: call.name || null });
    print({ type: "tool_call.done", choice: 0, call: n, call_id: call.id || null, action: call.name || null,
      arguments: call.arguments, parameters, invalid_arguments: invalid });
  });
  print({ type: "message.done", choice: 0, finish_reason: turn.finishReason });
  if (turn.usage) {
    print({ type: "usage", usage: { input_tokens: turn.usage.inputTokens, output_tokens: turn.usage.outputTokens } });
  }
}

const oneLine = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.replace(/\s+/g, " ") : String(error);

if (process.env.KIT_WORKER === "1") {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Case;
    try {
      await runCase(c.base_url);
      print({ type: "end", id: c.id });
    } catch (error) {
      print({ type: "end", id: c.id, status: 1, error: oneLine(error) });
    }
  }
} else {
  await runCase(process.env.OPENAI_BASE_URL ?? "").catch((error: unknown) => {
    console.error(oneLine(error));
    process.exitCode = 1;
  });
}
