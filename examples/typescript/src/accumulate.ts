// Your code: what an application does with openai-node's Chat Completions chunks when it streams
// a turn with tools. It folds the chunks into one turn: the text, the tool calls (assembled by
// their `index`), the finish reason and the usage. This is the code toolstream-kit grades; the
// worker beside it (kit-worker.ts) only feeds it the kit's streams and prints what it returns.
import type { ChatCompletionChunk } from "openai/resources/chat/completions";

export interface ToolCall {
  id: string;
  name: string;
  arguments: string; // JSON text, as streamed
}

export interface Turn {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
}

export class TurnAccumulator {
  private text = "";
  private readonly calls = new Map<number, ToolCall>();
  private finishReason: string | null = null;
  private usage: Turn["usage"] = null;

  push(chunk: ChatCompletionChunk): void {
    if (chunk.usage) {
      this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    }
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue; // we ask for one choice
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") this.text += delta.content;
      for (const fragment of delta.tool_calls ?? []) {
        let call = this.calls.get(fragment.index);
        if (call === undefined) {
          call = { id: "", name: "", arguments: "" };
          this.calls.set(fragment.index, call);
        }
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.name = fragment.function.name;
        call.arguments += fragment.function?.arguments ?? "";
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  result(): Turn {
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return { text: this.text, toolCalls, finishReason: this.finishReason, usage: this.usage };
  }
}
