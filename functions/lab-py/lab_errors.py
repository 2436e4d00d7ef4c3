# The error bad events get. Its class name is what the runtime reports as errorType, the same as the
# node lab's error name, so callers can match on it across both languages.
import json

MISSING = object()


class InvalidInput(Exception):
    pass


def show(value):
    """A value as it appeared in the event, for error messages (the node lab's JSON.stringify gives the same text)."""
    if value is MISSING:
        return "nothing"
    return json.dumps(value, separators=(",", ":"))
