"""Option types every ``kit`` command shares, so one option means one thing everywhere.

``--api`` takes the short names (``chat``, ``responses``, ``anthropic``, ``gemini``) and the full
wire-API names (``openai.chat.completions``, ``openai.responses``, ``anthropic.messages``,
``google.generate_content``) in every
command, gives the command the full name, and words an unknown name the same way everywhere
(:func:`kit.trace.api_name` says what is expected).
"""

from __future__ import annotations

from typing import Any

import click

APIS = ("openai.chat.completions", "openai.responses", "anthropic.messages", "google.generate_content")
SHORT_NAMES = ("chat", "responses", "anthropic", "gemini")
API_METAVAR = "[" + "|".join(SHORT_NAMES) + "]"
API_HELP_SUFFIX = "API: chat, responses, anthropic or gemini (or the full name)"


class ApiType(click.ParamType):
    """A wire API, by its short name or its full name; converts to the full name."""

    name = "api"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .errors import UsageError  # noqa: PLC0415
        from .trace import api_name  # noqa: PLC0415 - the one map of names

        try:
            return api_name(str(value))
        except UsageError as exc:
            self.fail(str(exc), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem  # noqa: PLC0415

        return [CompletionItem(n) for n in (*SHORT_NAMES, *APIS) if n.startswith(incomplete)]


API = ApiType()


def api_option(*decls: str, help: str, **kwargs: Any) -> Any:  # noqa: A002 - click's own keyword
    """``--api`` (or ``decls``) with the shared type and metavar; ``help`` gets the list of
    names appended."""
    return click.option(*(decls or ("--api",)), type=API, metavar=API_METAVAR,
                        help=f"{help.rstrip('.')}. {API_HELP_SUFFIX}.", **kwargs)


def shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    """``--shard I/N``: the click callback both ``kit verify`` and ``kit matrix`` use
    (:func:`kit.verify.runner.parse_shard` says what is valid)."""
    from .verify.runner import parse_shard  # noqa: PLC0415

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
