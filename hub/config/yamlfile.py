"""Read YAML keeping the line of every key and refusing duplicate keys; owns pyyaml.

What would make PyYAML hang, recurse out of the stack or point at the wrong line is
found first, by hub, with the line it is on: a character YAML forbids (NUL and the
other controls), a key followed by a full-width colon (the likeliest typo of an editor
typing Chinese), nesting deeper than any configuration needs, and aliases that expand
to more values than any configuration holds (a "billion laughs")."""

from __future__ import annotations

import re
from typing import Any

import yaml

from hub.errors import ConfigError

KeyPath = tuple[str | int, ...]
MAX_DEPTH = 64  # collections inside collections
MAX_VALUES = 100_000  # values after aliases are expanded; a county's file has a few thousand
MAX_INDENT = 400  # columns

# What YAML 1.1 allows in a document (its c-printable), and so what PyYAML accepts.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FULLWIDTH_KEY = re.compile(r"\s*(?:-\s+)?[A-Za-z_][\w.-]*\s*：")
_BLOCK_SCALAR = re.compile(r":\s+[|>][-+0-9]*\s*(?:#.*)?$")  # `key: |` starts a block of text
_DASHES = re.compile(r"\s*(?:-\s+)*")


def format_path(path: KeyPath) -> str:
    """('sources', 3, 'page', 'item') -> 'sources[3].page.item'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def read_yaml(text: str, filename: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML document; return the data and a map key path -> 1-based line."""
    _check_text(text, filename)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, filename, [0])
        try:
            return loader.construct_document(node), lines
        except (ValueError, OverflowError) as exc:  # 2024-02-30, !!int x, 5,000 digits
            raise _value_error(node, filename) from exc
    except RecursionError as exc:  # what the depth check could not see coming
        raise ConfigError(f"nested deeper than {MAX_DEPTH} levels", file=filename) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise ConfigError(f"YAML syntax error: {problem}", file=filename, line=line) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=filename) from exc
    finally:
        loader.dispose()


def _check_text(text: str, filename: str) -> None:
    """The mistakes found before YAML is parsed, each at its line."""

    def fail(index: int, message: str) -> None:
        raise ConfigError(message, file=filename, line=text.count("\n", 0, index) + 1)

    if found := _UNPRINTABLE.search(text):
        fail(found.start(), f"a character YAML does not allow (U+{ord(found[0]):04X}); remove it")
    depth, quote, block = 0, "", -1  # block: the indent of a block scalar's key, or -1
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_INDENT:
            raise ConfigError(
                f"indented more than {MAX_INDENT} columns", file=filename, line=number
            )
        if block >= 0 and (indent > block or not line.strip()):
            continue  # inside `about: |`: text, whatever colons it holds
        block = indent if _BLOCK_SCALAR.search(line) else -1
        if _FULLWIDTH_KEY.match(line):
            raise ConfigError(
                "a full-width colon '：' after a key: YAML needs ':' (half-width)",
                file=filename,
                line=number,
            )
        dashes = _DASHES.match(line)
        if dashes and dashes[0].count("-") > MAX_DEPTH:  # - - - - …: lists in lists
            raise ConfigError(f"nested deeper than {MAX_DEPTH} levels", file=filename, line=number)
        for char in line:  # a quoted scalar may hold brackets; a quote may span lines
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ConfigError(
                        f"nested deeper than {MAX_DEPTH} levels", file=filename, line=number
                    )
            elif char in "]}":
                depth = max(0, depth - 1)


def _value_error(root: yaml.Node, filename: str) -> ConfigError:
    """The first value YAML's own types cannot hold (a date that does not exist, a
    number of thousands of digits), found again value by value for its line."""
    pending = [root]
    while pending:
        node = pending.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except (ValueError, OverflowError, yaml.YAMLError) as exc:
                return ConfigError(
                    f"{str(node.value)[:60]!r} is not a value YAML can read ({exc}); "
                    "quote it to mean text",
                    file=filename,
                    line=node.start_mark.line + 1,
                )
        elif isinstance(node, yaml.MappingNode):
            pending += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value
    return ConfigError("a value YAML cannot read", file=filename)


def _walk(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], filename: str, count: list[int]
) -> None:
    count[0] += 1
    if count[0] > MAX_VALUES or len(path) > MAX_DEPTH:
        what = (
            f"more than {MAX_VALUES:,} values once its aliases are expanded"
            if count[0] > MAX_VALUES
            else f"collections nested deeper than {MAX_DEPTH} levels"
        )
        raise ConfigError(
            f"the document holds {what}", file=filename, line=node.start_mark.line + 1
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: no key hub has
                raise ConfigError(
                    "a key must be a word, not a list or a mapping", file=filename, line=line
                )
            key = str(key_node.value)
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    file=filename,
                    line=line,
                    path=format_path((*path, key)),
                )
            seen[key] = line
            _walk(value_node, (*path, key), lines, filename, count)
            lines[(*path, key)] = line  # a key's own line, where its value may start later
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, filename, count)


def scalar(value: str | int | bool) -> str:
    """One value as YAML writes it in flow style, quoted where it must be."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.removesuffix("\n").removesuffix("\n...").strip()
