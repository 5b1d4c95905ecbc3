// The Anthropic TypeScript SDK's MessageStream over HTTP: the kit's `anthropic-node-messages` adapter.
//
//   node kit/adapters/node/anthropic_messages.mjs [--worker]    (run by kit verify as an http: adapter)
//
// What a user's program does, as the SDK's helpers guide shows streaming a message:
// `new Anthropic({maxRetries: 0})` (base URL and key from ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY,
// which the kit points at its replay server; the SDK adds /v1/messages itself),
// `client.messages.stream({...}).on("text", ...)` as the text comes, then
// `await stream.finalMessage()`. The final message is read as the Python SDK's row reads the
// Python SDK's (kit/adapters/thirdparty/anthropic_sdk.py): the `content` blocks in order, `text`
// -> SAY (one per block), `tool_use` -> DO (`id`, `name`, `input` as the SDK parsed it), server
// tool blocks (`server_tool_use`, `*_tool_result`, ...: the reference's classification) -> server
// tools, `thinking` and `redacted_thinking` left out (never SAY); `stop_reason` is the finish,
// `usage` the input and output tokens. Nothing is repaired; an exception is the library's answer
// (harness.mjs reports it with the frame that raised it).
//
// Capabilities, from the SDK's own types (@anthropic-ai/sdk resources/messages/messages.d.ts,
// lib/MessageStream.js):
// - ordered yes: Message.content is the list of content blocks in stream order (MessageStream's
//   accumulator pushes each content_block_start's block);
// - marks_undispatched no: a ToolUseBlock is `id`, `name`, `input`, `type` (and `caller`):
//   nothing marks a block cut off; the SDK parses a block's buffered partial JSON
//   (internal/message-stream-utils.js, `partialParse`) and hands that over as the call's input;
// - holds_invalid_arguments no: ToolUseBlock.input is the parsed value, never the raw text (the
//   accumulator keeps the raw JSON in a non-enumerable `__json_buf` property that is not part of
//   the block's type), so a call whose input is not JSON cannot be held as it arrived;
// - multi_choice no: a Messages response has one message.
import { importPackage, isServerTool, PlanOf, serve } from "./harness.mjs";

const API = "anthropic.messages";
const MODEL = "claude-sonnet-4-6"; // any name: the replay server answers every model with the trace
const MESSAGES = [{ role: "user", content: "hi" }];

async function runCase(api) {
  const { default: Anthropic } = await importPackage("@anthropic-ai/sdk");
  const client = new Anthropic({ maxRetries: 0 });
  let shown = "";
  const stream = client.messages.stream({ model: MODEL, max_tokens: 1024, messages: MESSAGES }).on("text", (delta) => {
    shown += delta; // what a user prints as it comes; the Plan is read from the final message
  });
  const message = await stream.finalMessage();
  const plan = new PlanOf(api);
  (message.content ?? []).forEach((block, n) => {
    const kind = block?.type;
    if (kind === "text") plan.text(block.text, 0, n);
    else if (kind === "tool_use") plan.call(block.id, block.name, block.input);
    else if (isServerTool(api, kind)) plan.serverTool({ type: kind, id: block.id || block.tool_use_id || null, name: block.name ?? null });
  });
  plan.finish(message.stop_reason);
  if (message.usage) plan.usage(message.usage.input_tokens, message.usage.output_tokens);
  plan.end();
}

serve([API], runCase);
