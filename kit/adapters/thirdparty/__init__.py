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

    @property
    def spec(self) -> str:
        if self.bundled:
            return self.name
        return f"client[name={self.name}]:kit.adapters.thirdparty.{self.target}"


ADAPTERS: tuple[ThirdParty, ...] = (
    # the openai SDK's rows are the kit's own in-process adapters (kit.adapters.openai_sdk): the
    # unmodified client over an HTTP transport that serves the case's reads lazily
    ThirdParty("openai-chat-client", "", "openai SDK", "openai", "sdk",
               "client.chat.completions.stream(...): iterate the events, then get_final_completion()", bundled=True),
    ThirdParty("openai-chat-create", "", "openai SDK", "openai", "sdk",
               "client.chat.completions.create(stream=True) with the function-calling guide's loop", bundled=True),
    ThirdParty("openai-responses-client", "", "openai SDK", "openai", "sdk",
               "client.responses.stream(...): iterate the events", bundled=True),
    ThirdParty("anthropic-messages-stream", "anthropic_sdk:messages_stream", "anthropic SDK", "anthropic",
               "sdk", "client.messages.stream(...): iterate the events, then get_final_message()"),
)


def by_name() -> dict[str, ThirdParty]:
    return {a.name: a for a in ADAPTERS}
