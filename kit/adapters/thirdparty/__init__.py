"""Bundled adapters for third-party LLM client libraries: the compatibility matrix's rows.

Each module drives one library the way its own documentation tells users to consume a
stream with tool calls, against the kit's replay server (``client:`` adapters, see
:mod:`kit.adapters.client`), and maps the library's final result (text, tool calls with
ids and parsed arguments, finish reason, choices, usage where the library has it) onto a
Plan with :class:`~kit.adapters.client.PlanOf`. Nothing is repaired: a value the library
gets wrong stays wrong, and an exception it raises is its answer. Each adapter declares
what it can express (``apis``, ``multi_choice``, ``omits``), so a case outside that is SKIP
with the reason, and a part of the Plan the library's result does not carry is left out
of the comparison rather than graded as missing.

The libraries are not dependencies of the kit: ``kit matrix`` installs each in its own
environment (``matrix/``), and ``kit verify -a NAME`` works wherever the library is
importable. :data:`ADAPTERS` lists them; :mod:`kit.adapters` registers each as a bundled
adapter name.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ThirdParty", "ADAPTERS", "by_name"]


@dataclass(frozen=True)
class ThirdParty:
    """One bundled third-party adapter."""

    name: str  # the bundled adapter name, e.g. "litellm-chat"
    target: str  # "module:function" under kit.adapters.thirdparty
    library: str  # the library as people call it
    distribution: str  # the PyPI distribution whose version the matrix reports
    env: str  # the matrix environment it runs in (matrix/envs.toml)
    usage: str  # the documented way of consuming the stream this adapter follows, in one line
    bundled: bool = False  # the name is already a bundled adapter of the kit (the openai SDK's)
    # non-empty when the row grades a documented recipe the user assembles on top of an SDK
    # (a guide's loop, a library that passes the SDK's objects through) rather than the
    # library's own code: the recipe and where it is documented. The report lists such rows
    # as recipes, apart from libraries.
    recipe: str = ""
    # the SDKs (import names) the library reads the stream through: a crash raised inside one
    # of them, or a FAIL the SDK's own row shows identically on the same trace, is reported as
    # inherited from that SDK (one root cause), not as the library's own
    sits_on: tuple[str, ...] = ()
    # a library in another language: the ``http:`` adapter that runs its program against the
    # replay server (options and command, without ``name=``, ``worker=`` or ``--worker``: the
    # ``worker`` field adds ``worker=yes`` and the program's ``--worker``), e.g.
    # ``[apis=chat]:{python} -m kit.adapters.node openai_chat``;
    # its ``distribution`` is then ``npm:<package>``
    http: str = ""
    # the row runs as a warm worker (client[worker=yes]: / http[worker=yes]: with the program's
    # --worker): the library is imported once per job, a hang or a crash ends only its case.
    # False: in-process client: / one process per case (bench/bench_matrix.py compares the two)
    worker: bool = True

    @property
    def spec(self) -> str:
        if self.bundled:
            return self.name
        if self.http:
            options, command = self.http.split("]:", 1)
            opts = [o for o in options.lstrip("[").split(",") if o]
            if self.worker:
                opts.insert(0, "worker=yes")
                command += " --worker"
            return f"http[{','.join([*opts, f'name={self.name}'])}]:{command}"
        return f"client[{'worker=yes,' if self.worker else ''}name={self.name}]:kit.adapters.thirdparty.{self.target}"


ADAPTERS: tuple[ThirdParty, ...] = (
    # the openai SDK's rows are the kit's own in-process adapters (kit.adapters.openai_sdk): the
    # unmodified client over an HTTP transport that serves the case's reads lazily
    ThirdParty("openai-chat-client", "", "openai SDK", "openai", "sdk",
               "client.chat.completions.stream(...): iterate the events, then get_final_completion()", bundled=True),
    ThirdParty("openai-chat-create", "", "openai SDK", "openai", "sdk",
               "client.chat.completions.create(stream=True) with the function-calling guide's loop", bundled=True,
               recipe="the loop of OpenAI's function-calling guide (Streaming) over the openai SDK's chunks",
               sits_on=("openai",)),
    ThirdParty("openai-responses-client", "", "openai SDK", "openai", "sdk",
               "client.responses.stream(...): iterate the events", bundled=True),
    ThirdParty("anthropic-messages-stream", "anthropic_sdk:messages_stream", "anthropic SDK", "anthropic",
               "sdk", "client.messages.stream(...): iterate the events, then get_final_message()"),
    # the google-genai SDK (Gemini API), in its own environment
    ThirdParty("google-genai-stream", "google_genai:generate_content_stream", "google-genai SDK", "google-genai",
               "google_genai", "client.models.generate_content_stream(model=..., contents=..., config="
               "GenerateContentConfig(tools=[Tool(function_declarations=[...])])): iterate the chunks; each "
               "candidate's parts, finish_reason, usage_metadata"),
    # litellm
    ThirdParty("litellm-chat", "litellm_client:chat_stream", "litellm", "litellm", "litellm",
               "litellm.completion(model='openai/...', stream=True, tools=...): collect the chunks, then "
               "litellm.stream_chunk_builder(chunks, messages=...)", sits_on=("openai",)),
    ThirdParty("litellm-responses", "litellm_client:responses_stream", "litellm", "litellm", "litellm",
               "litellm.responses(model='openai/...', stream=True, tools=...): iterate the events; the terminal "
               "event's response"),
    ThirdParty("litellm-anthropic", "litellm_client:anthropic_stream", "litellm", "litellm", "litellm",
               "litellm.completion(model='anthropic/...', stream=True, tools=...) + "
               "litellm.stream_chunk_builder(chunks, messages=...)"),
    ThirdParty("litellm-gemini", "litellm_client:gemini_stream", "litellm", "litellm", "litellm",
               "litellm.completion(model='gemini/...', api_base=<base>/v1beta, stream=True, tools=...) + "
               "litellm.stream_chunk_builder(chunks, messages=...)"),
    # LangChain
    ThirdParty("langchain-openai-chat", "langchain_models:openai_chat", "LangChain", "langchain-openai", "langchain",
               "ChatOpenAI(stream_usage=True).bind_tools(tools).stream(messages), chunks added up; .content, "
               ".tool_calls, .invalid_tool_calls, .response_metadata, .usage_metadata", sits_on=("openai",)),
    ThirdParty("langchain-openai-responses", "langchain_models:openai_responses", "LangChain", "langchain-openai",
               "langchain", "ChatOpenAI(use_responses_api=True).bind_tools(tools).stream(messages), chunks added up; "
               "content blocks in order", sits_on=("openai",)),
    ThirdParty("langchain-anthropic", "langchain_models:anthropic_messages", "LangChain", "langchain-anthropic",
               "langchain", "ChatAnthropic.bind_tools(tools).stream(messages), chunks added up; content blocks in order",
               sits_on=("anthropic",)),
    ThirdParty("langchain-google-genai", "langchain_models:google_genai", "LangChain", "langchain-google-genai",
               "langchain_google", "ChatGoogleGenerativeAI(base_url=...).bind_tools(tools).stream(messages), chunks "
               "added up; .content, .tool_calls, .invalid_tool_calls, .response_metadata, .usage_metadata",
               sits_on=("google.genai",)),
    # pydantic-ai
    ThirdParty("pydantic-ai-chat", "pydantic_ai_direct:chat", "pydantic-ai", "pydantic-ai-slim", "pydantic_ai",
               "pydantic_ai.direct.model_request_stream(OpenAIChatModel, ...): iterate the events, then stream.get()",
               sits_on=("openai",)),
    ThirdParty("pydantic-ai-responses", "pydantic_ai_direct:responses", "pydantic-ai", "pydantic-ai-slim",
               "pydantic_ai", "pydantic_ai.direct.model_request_stream(OpenAIResponsesModel, ...): iterate the events, "
               "then stream.get()", sits_on=("openai",)),
    ThirdParty("pydantic-ai-anthropic", "pydantic_ai_direct:anthropic", "pydantic-ai", "pydantic-ai-slim",
               "pydantic_ai", "pydantic_ai.direct.model_request_stream(AnthropicModel, ...): iterate the events, "
               "then stream.get()", sits_on=("anthropic",)),
    ThirdParty("pydantic-ai-google", "pydantic_ai_direct:google", "pydantic-ai", "pydantic-ai-slim", "pydantic_ai",
               "pydantic_ai.direct.model_request_stream(GoogleModel, ...): iterate the events, then stream.get()",
               sits_on=("google.genai",)),
    # OpenAI Agents SDK
    ThirdParty("openai-agents-chat", "openai_agents_models:chat", "OpenAI Agents SDK", "openai-agents",
               "openai_agents", "OpenAIChatCompletionsModel.stream_response(...) consumed as the Runner does: the "
               "response.completed Response", sits_on=("openai",)),
    ThirdParty("openai-agents-responses", "openai_agents_models:responses", "OpenAI Agents SDK", "openai-agents",
               "openai_agents", "OpenAIResponsesModel.stream_response(...) consumed as the Runner does: the "
               "response.completed Response", sits_on=("openai",)),
    # llm
    ThirdParty("llm-openai", "llm_models:openai_chat", "llm", "llm", "llm",
               "a model in extra-openai-models.yaml with api_base; model.prompt(..., tools=[fn]) iterated, then "
               "messages() in order, tool_calls(), usage()", sits_on=("openai",)),
    ThirdParty("llm-openai-responses", "llm_models:openai_responses", "llm", "llm", "llm",
               "a model in extra-openai-models.yaml with api_base and responses: true; model.prompt(..., tools=[fn]) "
               "iterated, then messages() in order, tool_calls(), usage()", sits_on=("openai",)),
    ThirdParty("llm-anthropic", "llm_models:claude_messages", "llm", "llm-anthropic", "llm",
               "the llm-anthropic plugin's ClaudeMessages(model, base_url=...).prompt(..., tools=[fn]) iterated, then "
               "messages() in order, tool_calls(), usage()", sits_on=("anthropic",)),
    # LlamaIndex
    ThirdParty("llama-index-openai", "llama_index_llms:openai_chat", "LlamaIndex", "llama-index-llms-openai",
               "llama_index", "OpenAI(...).stream_chat_with_tools(tools); the last ChatResponse: "
               "get_tool_calls_from_response(...), message.blocks in order, raw", sits_on=("openai",)),
    ThirdParty("llama-index-openai-responses", "llama_index_llms:openai_responses", "LlamaIndex",
               "llama-index-llms-openai", "llama_index", "OpenAIResponses(...).stream_chat_with_tools(tools); the last "
               "ChatResponse: get_tool_calls_from_response(...), message.blocks in order", sits_on=("openai",)),
    ThirdParty("llama-index-anthropic", "llama_index_llms:anthropic_messages", "LlamaIndex",
               "llama-index-llms-anthropic", "llama_index", "Anthropic(base_url=...).stream_chat_with_tools(tools); the "
               "last ChatResponse: get_tool_calls_from_response(...), message.blocks in order, additional_kwargs",
               sits_on=("anthropic",)),
    # Haystack
    ThirdParty("haystack-openai", "haystack_generators:openai_chat", "Haystack", "haystack-ai", "haystack",
               "OpenAIChatGenerator(api_base_url=..., streaming_callback=..., tools=[Tool]).run(messages): replies[0] "
               ".text, .tool_calls, .meta", sits_on=("openai",)),
    ThirdParty("haystack-openai-responses", "haystack_generators:openai_responses", "Haystack", "haystack-ai",
               "haystack", "OpenAIResponsesChatGenerator(api_base_url=..., streaming_callback=..., tools=[Tool])"
               ".run(messages): replies[0]", sits_on=("openai",)),
    ThirdParty("haystack-anthropic", "haystack_generators:anthropic_chat", "Haystack", "anthropic-haystack",
               "haystack", "AnthropicChatGenerator(streaming_callback=..., tools=[Tool]) (base URL from "
               "ANTHROPIC_BASE_URL: it has no option for it).run(messages): replies[0]", sits_on=("anthropic",)),
    # any-llm
    ThirdParty("any-llm-openai", "any_llm_client:chat_stream", "any-llm", "any-llm-sdk", "any_llm",
               "any_llm.completion(provider='openai', api_base=..., tools=..., stream=True) folded by "
               "any_llm.utils.streaming.ChatCompletionAccumulator", sits_on=("openai",)),
    ThirdParty("any-llm-anthropic", "any_llm_client:anthropic_stream", "any-llm", "any-llm-sdk", "any_llm",
               "any_llm.completion(provider='anthropic', api_base=..., tools=..., stream=True) folded by "
               "ChatCompletionAccumulator", sits_on=("anthropic",)),
    ThirdParty("any-llm-responses", "any_llm_client:responses_stream", "any-llm", "any-llm-sdk", "any_llm",
               "any_llm.responses(provider='openai', stream=True), which passes the openai SDK's events through, "
               "folded as OpenAI's function-calling guide shows (grades the SDK and that recipe)",
               recipe="OpenAI's function-calling guide (Streaming, Responses) over the openai SDK's events, "
                      "which any-llm passes through", sits_on=("openai",)),
    # smolagents
    ThirdParty("smolagents-openai", "smolagents_models:generate_stream", "smolagents", "smolagents", "smolagents",
               "OpenAIServerModel.generate_stream(messages, tools_to_call_from=[...]), folded by "
               "agglomerate_stream_deltas()", sits_on=("openai",)),
    # Mirascope
    ThirdParty("mirascope-chat", "mirascope_llm:chat_stream", "Mirascope", "mirascope", "mirascope",
               "llm.Model('openai/...:completions').stream(..., tools=[...]), then finish(): content, finish_reason, "
               "usage", sits_on=("openai",)),
    ThirdParty("mirascope-responses", "mirascope_llm:responses_stream", "Mirascope", "mirascope", "mirascope",
               "llm.Model('openai/...:responses').stream(..., tools=[...]), then finish()", sits_on=("openai",)),
    ThirdParty("mirascope-anthropic", "mirascope_llm:anthropic_stream", "Mirascope", "mirascope", "mirascope",
               "llm.Model('anthropic/...').stream(..., tools=[...]), then finish()", sits_on=("anthropic",)),
    # aisuite
    ThirdParty("aisuite-openai", "aisuite_client:chat_stream", "aisuite", "aisuite", "aisuite",
               "Client(provider_configs={'openai': ...}).chat.completions.create(stream=True), which passes the "
               "openai SDK's chunks through, assembled by index as its README shows (grades the SDK and that recipe)",
               recipe="the assembly by index that aisuite's README asks for (OpenAI's function-calling guide) over "
                      "the openai SDK's chunks, which aisuite passes through", sits_on=("openai",)),
    ThirdParty("aisuite-anthropic", "aisuite_client:anthropic_stream", "aisuite", "aisuite", "aisuite",
               "Client(provider_configs={'anthropic': ...}).chat.completions.create(stream=True): its conversion of "
               "Anthropic events to chunks, assembled by index as its README shows", sits_on=("anthropic",)),
    # JavaScript: openai-node (kit/adapters/node/), in the Node environment matrix/envs/node_openai/
    ThirdParty("openai-node-chat", "", "openai-node", "npm:openai", "node_openai",
               "new OpenAI().chat.completions.stream({...}): .on(event) as the events come, then "
               "await finalChatCompletion()",
               http="[apis=chat,multi_choice=yes,ordered=yes,marks_undispatched=no]:"
                    "{python} -m kit.adapters.node openai_chat"),
    ThirdParty("openai-node-responses", "", "openai-node", "npm:openai", "node_openai",
               "new OpenAI().responses.stream({...}): for await (const event of stream) as the events come, then "
               "await finalResponse()",
               http="[apis=responses,multi_choice=no,ordered=yes,marks_undispatched=yes]:"
                    "{python} -m kit.adapters.node openai_responses"),
    # JavaScript: the Anthropic TypeScript SDK, in the Node environment matrix/envs/node_anthropic/
    ThirdParty("anthropic-node-messages", "", "Anthropic TypeScript SDK", "npm:@anthropic-ai/sdk", "node_anthropic",
               "new Anthropic().messages.stream({...}).on('text', ...), then await finalMessage()",
               http="[apis=anthropic,multi_choice=no,ordered=yes,marks_undispatched=no,"
                    "holds_invalid_arguments=no]:{python} -m kit.adapters.node anthropic_messages"),
    # JavaScript: LangChain.js chat models (kit/adapters/node/langchain.mjs), in matrix/envs/node_langchain/
    ThirdParty("langchain-js-openai-chat", "", "LangChain.js", "npm:@langchain/openai", "node_langchain",
               "new ChatOpenAI({...}).bindTools(tools).stream(messages), chunks joined with concat(); .content, "
               ".tool_calls, .invalid_tool_calls, .response_metadata, .usage_metadata",
               http="[apis=chat,multi_choice=no,ordered=no,marks_undispatched=no]:"
                    "{python} -m kit.adapters.node langchain", sits_on=("npm:openai",)),
    ThirdParty("langchain-js-openai-responses", "", "LangChain.js", "npm:@langchain/openai", "node_langchain",
               "new ChatOpenAI({..., useResponsesApi: true}).bindTools(tools).stream(messages), chunks joined with "
               "concat(); .content, .tool_calls, .additional_kwargs (tool_outputs, refusal), .response_metadata",
               http="[apis=responses,multi_choice=no,ordered=no,marks_undispatched=no,call_types="
                    "function_call+custom_tool_call+computer_call+shell_call+local_shell_call+apply_patch_call+"
                    "tool_search_call]:{python} -m kit.adapters.node langchain", sits_on=("npm:openai",)),
    ThirdParty("langchain-js-anthropic", "", "LangChain.js", "npm:@langchain/anthropic", "node_langchain",
               "new ChatAnthropic({...}).bindTools(tools).stream(messages), chunks joined with concat(); content "
               "blocks in order, .tool_calls, .additional_kwargs.stop_reason, .usage_metadata",
               http="[apis=anthropic,multi_choice=no,ordered=yes,marks_undispatched=no]:"
                    "{python} -m kit.adapters.node langchain", sits_on=("npm:@anthropic-ai/sdk",)),
    # JavaScript: the Vercel AI SDK (kit/adapters/node/ai_sdk.mjs), in matrix/envs/node_ai/. The distribution
    # is the provider package: it parses the stream (its own SSE parser and chunk schemas, no SDK beneath)
    ThirdParty("vercel-ai-openai-chat", "", "Vercel AI SDK", "npm:@ai-sdk/openai", "node_ai",
               "streamText({model: createOpenAI({baseURL}).chat(id), tools: {name: tool({inputSchema}) without "
               "execute}}): for await (part of fullStream), then await content, finishReason, usage",
               http="[apis=chat,multi_choice=no,ordered=no,marks_undispatched=no,refusal_as_text=yes]:"
                    "{python} -m kit.adapters.node ai_sdk"),
    ThirdParty("vercel-ai-openai-responses", "", "Vercel AI SDK", "npm:@ai-sdk/openai", "node_ai",
               "streamText({model: createOpenAI({baseURL}).responses(id), tools}): for await (part of fullStream), "
               "then await content (parts in order), finishReason, usage",
               http="[apis=responses,multi_choice=no,ordered=yes,marks_undispatched=no,refusal_as_text=yes,"
                    "omits=server_tools,call_types=function_call+custom_tool_call+tool_search_call]:"
                    "{python} -m kit.adapters.node ai_sdk"),
    ThirdParty("vercel-ai-anthropic", "", "Vercel AI SDK", "npm:@ai-sdk/anthropic", "node_ai",
               "streamText({model: createAnthropic({baseURL})(id), tools}): for await (part of fullStream), then "
               "await content (parts in order), finishReason, usage",
               http="[apis=anthropic,multi_choice=no,ordered=yes,marks_undispatched=no,omits=server_tools]:"
                    "{python} -m kit.adapters.node ai_sdk"),
    ThirdParty("vercel-ai-google", "", "Vercel AI SDK", "npm:@ai-sdk/google", "node_ai",
               "streamText({model: createGoogleGenerativeAI({baseURL})(id), tools}): for await (part of fullStream), "
               "then await content, rawFinishReason, providerMetadata.google (usageMetadata, groundingMetadata)",
               http="[apis=gemini,multi_choice=no,ordered=no,marks_undispatched=no]:"
                    "{python} -m kit.adapters.node ai_sdk_google"),
)


def by_name() -> dict[str, ThirdParty]:
    return {a.name: a for a in ADAPTERS}

