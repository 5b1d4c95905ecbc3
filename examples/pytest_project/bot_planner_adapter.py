"""The code under test.

In your project this is your own package (``mypkg.stream:handle``); here it is the bot
planner of ``examples/bot_planner``, whose ``handle(reads, sink, *, api)`` wires the
planner to the kit's contract and declares what it handles (Chat Completions, one
choice) in ``handle.__kit__``.
"""

from examples.bot_planner.kit_adapter import handle, to_plan_document

__all__ = ["handle", "to_plan_document"]
