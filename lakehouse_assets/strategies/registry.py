"""The strategies promotion contracts can name, looked up by name (never compared by name
elsewhere). `strategies/__init__.py` registers the built-in ones; a test or a plug-in may
register its own."""

from __future__ import annotations

from lakehouse_assets.strategies.strategy import Strategy

_BY_NAME: dict[str, Strategy] = {}


def register(strategy: Strategy) -> Strategy:
    if not strategy.names:
        raise ValueError(f"{type(strategy).__name__} has no names")
    for name in strategy.names:
        _BY_NAME[name] = strategy
    return strategy


def unregister(strategy: Strategy) -> None:
    for name in strategy.names:
        if _BY_NAME.get(name) is strategy:
            del _BY_NAME[name]


def known() -> list[str]:
    """In registration order, the order messages list them."""
    return list(_BY_NAME)


def strategy_for(name: str) -> Strategy:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"strategy {name!r} is not registered; available: {', '.join(known())}"
        ) from None
