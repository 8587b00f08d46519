"""Errors that reach the user as one clear line instead of a traceback."""


class ScenarioError(ValueError):
    """A scenario file, override or sweep file is wrong; the message says where and why."""
