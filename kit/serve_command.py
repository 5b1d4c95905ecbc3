"""``kit serve``: the command line of :mod:`kit.serve` (registered in :mod:`kit.cli`)."""

from __future__ import annotations

import signal
import sys
import threading

import click

from .errors import UsageError


def _defaults(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``API=ID`` pairs -> {full API name: trace id}; the API as every --api option takes it."""
    from .adapters import api_name

    out = {}
    for d in values:
        api, eq, ident = d.partition("=")
        if not eq or not ident:
            raise click.BadParameter(f"{d!r}; expected API=TRACE-ID")
        try:
            out[api_name(api)] = ident
        except UsageError as exc:
            raise click.BadParameter(str(exc)) from None
    return out


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sources", nargs=-1, metavar="[TRACE|DIR]...")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback unless you say so).")
@click.option("--port", "-p", default=8765, show_default=True, type=int, help="Port (0: a free one).")
@click.option("--chunking", default="recorded", show_default=True, metavar="PLAN",
              help="Default chunk plan (per request: ?chunking= or the kit-chunking header).")
@click.option("--timing", default="none", show_default=True, metavar="none|recorded|scale:X",
              help="Pace the reads by their recorded times (traces that have them).")
@click.option("--default", "defaults", multiple=True, metavar="API=ID", callback=_defaults,
              help="The trace the bare /v1/... URL serves for API (chat, responses, anthropic or gemini, or the full "
                   "name). Default: the trace tagged typical, else the first y_ trace that is text then one tool call.")
@click.option("--list", "list_", is_flag=True, help="Print every trace's base URL and exit.")
@click.option("--quiet", "-q", is_flag=True, help="Do not log each request.")
def serve(sources: tuple[str, ...], host: str, port: int, chunking: str, timing: str, defaults: dict[str, str],
          list_: bool, quiet: bool) -> None:
    """Serve traces to real clients: a replay server that speaks all four wire APIs.

    OpenAI's (Chat Completions, Responses), Anthropic's and Gemini's clients take it as is.

    Each trace has its own base URL, http://HOST:PORT/t/<api>/<trace-id>/v1 (a Gemini trace's
    without /v1: google-genai adds the version and model itself); point an unmodified client at
    it (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, base_url=...) and it gets the trace's exact bytes,
    one chunk per read. Per request, as a query parameter
    or a kit-... header: chunking=PLAN, timing=..., fault=drop=N | stall=S | status=429 |
    status=500 | malformed. With no TRACE it serves the bundled corpus.

    The bare http://HOST:PORT/v1 URL serves one trace per API: the one tagged "typical"
    in its file (the bundled corpus tags an ordinary stream: text, then a tool call);
    without one, the first y_ trace whose Plan is text then one tool call; --default
    API=ID chooses another.

    \b
    Examples:
      kit serve                                  # the bundled corpus on 127.0.0.1:8765
      kit serve my_traces/ --port 0 --list       # your traces; print their URLs
      OPENAI_BASE_URL=http://127.0.0.1:8765/t/openai.chat.completions/y_text_only/v1 python my_client.py
      curl -N -X POST 'http://127.0.0.1:8765/v1/chat/completions?chunking=bytewise&fault=drop=200' -d '{}'
    """
    from .serve import ReplayServer
    from .trace import corpus

    traces = []
    for source in sources or (None,):
        traces.extend(corpus(source))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"kit serve: binding to {host}: the traces are readable by anyone who can reach it", err=True)
    log = None if quiet else (lambda line: click.echo(line, err=True))
    srv = ReplayServer(traces, host=host, port=port, chunking=chunking, timing=timing, default=defaults, log=log)
    srv.start()
    if list_:
        for t in srv.traces:
            click.echo(f"{srv.url_for(t)}  {t.cls}")
        srv.stop()
        return
    click.echo(f"kit serve: {len(traces)} traces on {srv.base_url} (GET / lists them; Ctrl-C stops)")
    from .serve import base_path, endpoint_path

    for api, t in sorted(srv.defaults.items()):
        click.echo(f"  {srv.base_url}{base_path(api)}{endpoint_path(api)}  ->  {api}/{t.id}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        click.echo("kit serve: stopped", err=True)
    sys.exit(0)
