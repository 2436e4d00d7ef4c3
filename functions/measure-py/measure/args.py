# Argument checks shared by every command. Each failure names the command and the field, so a
# caller sees which part of a large cmds object was wrong.
import json
import math

MISSING = object()


class InvalidCommand(Exception):
    """Bad input: the caller's fault; nothing was run."""


class CommandFailed(Exception):
    """A valid command that could not finish (iperf3 missing, server silent, disk full)."""


def show(value):
    # Compact like JavaScript's JSON.stringify, so both versions word their errors alike.
    return "nothing" if value is MISSING else json.dumps(value, separators=(",", ":"))


def _where(cmd, field):
    return f"{cmd}.{field}" if field else cmd


def expect_object(cmd, value, fields):
    if not isinstance(value, dict):
        raise InvalidCommand(f"{cmd}: expected an object with {', '.join(fields)}, got {show(value)}")
    for key in value:
        if key not in fields:
            raise InvalidCommand(f'{cmd}: unknown field "{key}" (expected {", ".join(fields) or "no fields"})')
    return value


def expect_flag(cmd, value, fields=()):
    """`true` or an object with only the allowed fields (none for a bare flag)."""
    if value is True:
        return {}
    if not isinstance(value, dict):
        with_fields = f" with {', '.join(fields)}" if fields else ""
        raise InvalidCommand(f"{cmd}: expected true or an object{with_fields}, got {show(value)}")
    return expect_object(cmd, value, list(fields))


def is_number(value):
    # bool is an int in python but not a number in JSON.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def expect_number(cmd, field, value, low, high):
    if not (is_number(value) and low <= value <= high):
        raise InvalidCommand(f"{_where(cmd, field)}: expected a number from {low} to {high}, got {show(value)}")
    return value


def expect_integer(cmd, field, value, low, high):
    # 5.0 counts as an integer: JavaScript cannot tell it from 5, and both versions must agree.
    if not (is_number(value) and float(value).is_integer() and low <= value <= high):
        raise InvalidCommand(f"{_where(cmd, field)}: expected an integer from {low} to {high}, got {show(value)}")
    return int(value)
