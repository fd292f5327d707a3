"""The one error type for engine settings that cannot give a session."""

from __future__ import annotations


class EngineSetupError(RuntimeError):
    """The engine settings cannot give a session; the message names the setting to fix."""
