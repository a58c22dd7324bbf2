"""Read YAML keeping the line of every key and refusing duplicate keys; owns pyyaml."""

from __future__ import annotations

from typing import Any

import yaml

from hub.errors import ConfigError

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """('sources', 3, 'page', 'item') -> 'sources[3].page.item'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def read_yaml(text: str, filename: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML document; return the data and a map key path -> 1-based line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, filename)
        return loader.construct_document(node), lines
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


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], filename: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    file=filename,
                    line=line,
                    path=format_path((*path, key)),
                )
            seen[key] = line
            _walk(value_node, (*path, key), lines, filename)
            lines[(*path, key)] = line  # a key's own line, where its value may start later
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, filename)
