"""Generate the parts of ``conformance.md`` that must match the code.

``conformance.md`` holds hand-written prose plus blocks between
``<!-- kit:begin NAME -->`` and ``<!-- kit:end NAME -->`` markers, which
:func:`render` rewrites from the rule catalogue, the transition tables, the corpus and
the bundled mutants (which rule each breaks, which traces catch it).
``kit docs`` writes them; ``kit docs --check`` and the test suite fail when they drift.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .rules import RULES

__all__ = ["render", "BLOCKS"]


def _traces_by_rule() -> dict[str, list[str]]:
    from .trace import corpus

    out: dict[str, list[str]] = defaultdict(list)
    for t in corpus():
        for rule in t.rules:
            out[rule].append(t.id)
    return out


def rules_block() -> str:
    by_rule = _traces_by_rule()
    lines = ["| id | level | kind | requirement |", "|---|---|---|---|"]
    for r in RULES:
        requirement = r.requirement.replace("|", "\\|")
        lines.append(f"| [`{r.id}`](#{r.id}) | {r.level} | {r.kind} | {requirement} |")
    lines.append("")
    api = None
    for r in RULES:
        if r.api != api:
            api = r.api
            lines.append({"sse": "### Rules for SSE framing",
                          "plan": "### Rules for any consumer (graded by `kit verify`)"}.get(api, f"### Rules for `{api}`"))
            lines.append("")
        lines.append(f"#### {r.id}")
        lines.append("")
        lines.append(f"**{r.level}**, {r.kind}. {r.requirement}")
        lines.append("")
        lines.append(f"Rationale: {r.rationale}")
        lines.append("")
        if r.evidence:
            lines.append("Evidence: " + ", ".join(f"<{e}>" for e in r.evidence))
            lines.append("")
        traces = by_rule.get(r.id, [])
        if traces:
            lines.append("Traces: " + ", ".join(f"`{t}`" for t in sorted(traces)))
        else:
            lines.append("Traces: none yet")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _diagram(table: dict, title: str) -> str:
    lines = ["```mermaid", "stateDiagram-v2", f"    %% {title}: generated from the transition table"]
    first = next(iter(table))[0]
    lines.append(f"    [*] --> {first}")
    for (state, inp), (nxt, rule) in table.items():
        label = inp + (f" / {rule}" if rule else "")
        lines.append(f"    {state} --> {nxt}: {label}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def chat_diagrams_block() -> str:
    from .reference.chat import CHOICE_TRANSITIONS, STREAM_TRANSITIONS

    return (
        "Stream:\n\n" + _diagram(STREAM_TRANSITIONS, "chat stream")
        + "\nEach choice:\n\n" + _diagram(CHOICE_TRANSITIONS, "chat choice")
    )


def responses_diagrams_block() -> str:
    from .reference.responses import ITEM_TRANSITIONS, STREAM_TRANSITIONS

    return (
        "Stream:\n\n" + _diagram(STREAM_TRANSITIONS, "responses stream")
        + "\nEach output item:\n\n" + _diagram(ITEM_TRANSITIONS, "responses item")
    )


def anthropic_diagrams_block() -> str:
    from .reference.anthropic import BLOCK_TRANSITIONS, MESSAGE_TRANSITIONS

    return (
        "Message:\n\n" + _diagram(MESSAGE_TRANSITIONS, "anthropic message")
        + "\nEach content block:\n\n" + _diagram(BLOCK_TRANSITIONS, "anthropic block")
    )


def gemini_diagrams_block() -> str:
    from .reference.gemini import CALL_TRANSITIONS, STREAM_TRANSITIONS

    return (
        "Stream:\n\n" + _diagram(STREAM_TRANSITIONS, "gemini stream")
        + "\nEach candidate's streamed call:\n\n" + _diagram(CALL_TRANSITIONS, "gemini streamed call")
    )


def rule_mutants_block() -> str:
    """rule -> the graded traces that catch a mutant breaking it -> those mutants.

    Computed, not declared: each bundled mutant names the rules it breaks (``BREAKS``) and
    :func:`kit.adapters.mutants.rule_kills` runs it over the graded traces that exercise each.
    """
    from .adapters import mutants

    names = [n for api in mutants.APIS for n in mutants.mutant_names(api)] + mutants.streaming_names()
    traces: dict[str, set[str]] = defaultdict(set)
    by_rule: dict[str, list[str]] = defaultdict(list)
    for name in names:
        for rule_id, hits in mutants.rule_kills(name).items():
            if hits:
                traces[rule_id].update(hits)
                by_rule[rule_id].append(name)
    from .trace import corpus

    named: dict[str, set[str]] = defaultdict(set)  # rule -> classes of the traces that name it
    for t in corpus():
        for rule_id in t.rules:
            named[rule_id].add(t.cls)
    lines = ["| rule | kind | traces that catch it | mutants |", "|---|---|---|---|"]
    for r in RULES:
        hits = sorted(traces.get(r.id, ()))
        shown = ", ".join(f"`{t}`" for t in hits[:4]) + (f" (+{len(hits) - 4} more)" if len(hits) > 4 else "")
        if not hits and named.get(r.id) == {"i"}:
            shown = "- (only `i_` traces, not graded, name it)"
        killers = ", ".join(f"`{m}`" for m in by_rule.get(r.id, ())) or "none yet"
        lines.append(f"| [`{r.id}`](#{r.id}) | {r.kind} | {shown or '-'} | {killers} |")
    proven = sum(1 for r in RULES if r.id in by_rule)
    lines.append("")
    lines.append(f"{proven} of {len(RULES)} rules have a mutant; {len(RULES) - proven} have none yet.")
    return "\n".join(lines) + "\n"


BLOCKS = {
    "rules": rules_block,
    "rule-mutants": rule_mutants_block,
    "state-diagram-chat": chat_diagrams_block,
    "state-diagram-responses": responses_diagrams_block,
    "state-diagram-anthropic": anthropic_diagrams_block,
    "state-diagram-gemini": gemini_diagrams_block,
}

_BLOCK = re.compile(r"(<!-- kit:begin (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- kit:end (?P=name) -->)", re.S)


def render(text: str) -> str:
    """``text`` with every known generated block rewritten."""

    def sub(m: re.Match) -> str:
        fn = BLOCKS.get(m.group("name"))
        if fn is None:
            return m.group(0)
        return m.group(1) + fn() + m.group(4)

    return _BLOCK.sub(sub, text)
