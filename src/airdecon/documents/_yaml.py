"""The strict YAML reader: :func:`load_yaml`, YAML read into JSON's data model under JSON's rules.

PyYAML's safe loader is safe from code execution, not from its input: its composer and constructor
recurse (``RecursionError`` a few hundred levels down), an alias repeats its anchor without limit
(a "billion laughs" of a few hundred bytes is a graph of 10⁹ nodes to any code that walks it), a
``"\\ud800"`` escape yields a lone surrogate, a 5,000-digit integer escapes as ``ValueError``,
``.inf`` and ``.nan`` are floats, a key may be a list (unhashable), and dates, sets and binary come
back as Python objects no JSON document has. Here the document is checked as it is composed, before
anything is built, and each refusal is a :class:`~airdecon.errors.MalformedInput` naming the rule
and the line:

* more than :data:`MAX_YAML_BYTES` of text (PyYAML reads about a megabyte a second);
* bytes that are not UTF-8;
* nesting deeper than :data:`~airdecon.documents.MAX_DEPTH` levels, aliases included;
* aliases that repeat more than :data:`MAX_ALIAS_NODES` nodes in all, or refer to themselves;
* a lone surrogate in a key or a value;
* an integer of more than :data:`~airdecon.documents.MAX_INT_DIGITS` digits; ``.inf``, ``.nan``
  and floats beyond the range of a double;
* a key that is not a string (``1:``, ``yes:``, ``[a, b]:``, the merge key ``<<``), two equal keys;
* values JSON has no type for (``!!timestamp`` — an unquoted date —, ``!!binary``, ``!!set``,
  ``!!omap``, ``!!pairs``).

What is left is the value JSON would give: ``dict`` with ``str`` keys, ``list``, ``str``, ``int``,
``float``, ``bool`` and ``None`` (an anchor's value is shared by its aliases, not copied).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from airdecon.documents._json import MAX_DEPTH, MAX_INT_DIGITS, _decode, _has_surrogate
from airdecon.errors import MalformedInput

__all__ = ["MAX_ALIAS_NODES", "MAX_YAML_BYTES", "load_yaml"]

MAX_YAML_BYTES = 1024 * 1024
MAX_ALIAS_NODES = 10_000

_TAG = "tag:yaml.org,2002:"
_BAD = "malformed YAML: "
_NOT_JSON = ("timestamp", "binary", "set", "omap", "pairs")
_DIGIT = re.compile(r"[0-9a-fA-F]")
_RADIX = re.compile(r"^[-+]?0[xXbBoO]")


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _Refusal(Exception):
    """Raised inside the loader; :func:`load_yaml` adds the source."""

    def __init__(self, rule: str, message: str, mark: Any) -> None:
        self.rule = rule
        self.message = message
        self.mark = mark


def _digits(value: str) -> int:
    return len(_DIGIT.findall(_RADIX.sub("", value)))


class _StrictComposer(Composer):
    """PyYAML's composer, bounding depth and alias expansion and checking scalars as it goes."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._repeated = 0
        # id(node) -> (nodes it stands for with aliases expanded, levels of collections in it)
        self._sizes: dict[int, tuple[int, int]] = {}

    if TYPE_CHECKING:  # given by the parser this is mixed with; mid-document there is always one

        def peek_event(self) -> Event: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                known = self._sizes.get(id(target))
                if known is None:
                    raise _Refusal(
                        "alias",
                        _BAD + f"recursive alias *{event.anchor} (inside its own anchor)",
                        event.start_mark,
                    )
                size, height = known
                if self._depth + height > MAX_DEPTH:
                    raise _Refusal(
                        "depth",
                        _BAD + f"nested deeper than {MAX_DEPTH} levels (through alias *{event.anchor})",
                        event.start_mark,
                    )
                self._repeated += size
                if self._repeated > MAX_ALIAS_NODES:
                    raise _Refusal(
                        "alias",
                        _BAD + f"aliases repeat more than {MAX_ALIAS_NODES} nodes (at alias *{event.anchor})",
                        event.start_mark,
                    )
            return cast(Node, super().compose_node(parent, index))  # a node: never None here
        collection = isinstance(event, CollectionStartEvent)
        if collection:
            if self._depth >= MAX_DEPTH:
                raise _Refusal("depth", _BAD + f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            self._depth += 1
        # PyYAML's compose_node returns a node, never None (the stubs say "Node | None")
        node = cast(Node, super().compose_node(parent, index))
        if collection:
            self._depth -= 1
            kids = (
                [self._sizes[id(k)] for pair in node.value for k in pair]
                if isinstance(node, MappingNode)
                else [self._sizes[id(k)] for k in node.value]
            )
            self._sizes[id(node)] = (1 + sum(s for s, _ in kids), 1 + max((h for _, h in kids), default=0))
        else:
            self._check_scalar(node, key=isinstance(parent, MappingNode) and index is None)
            self._sizes[id(node)] = (1, 0)
        return node

    def _check_scalar(self, node: Node, *, key: bool) -> None:
        value = node.value
        if _has_surrogate(value):
            where = "a key" if key else "the string"
            raise _Refusal("unicode", f"invalid Unicode: a lone surrogate in {where}", node.start_mark)
        numeric = node.tag == _TAG + "int" or (node.tag == _TAG + "float" and ":" in value)
        if numeric and (n := _digits(value)) > MAX_INT_DIGITS:
            raise _Refusal(
                "integer",
                f"invalid YAML number: an integer of {n} digits (at most {MAX_INT_DIGITS})",
                node.start_mark,
            )


class _StrictConstructor(SafeConstructor):
    """The safe constructor, building only JSON's values and refusing what JSON cannot hold."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (_Refusal, yaml.YAMLError):
            raise
        except (ValueError, TypeError, ArithmeticError) as exc:
            text = node.value[:40] if isinstance(node, ScalarNode) else ""
            raise _Refusal(
                "syntax",
                _BAD + f"cannot read {text!r} as {node.tag.removeprefix(_TAG)} ({exc})",
                node.start_mark,
            ) from None

    def construct_strict_mapping(self, node: Node) -> dict[str, Any]:
        if not isinstance(node, MappingNode):  # a !!map tag on a scalar or a list
            raise _Refusal("type", _BAD + "!!map on something that is not a mapping", node.start_mark)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise _Refusal("key", _BAD + "merge keys (<<) are not supported", key_node.start_mark)
            if not isinstance(key_node, ScalarNode) or key_node.tag != _TAG + "str":
                shown = repr(key_node.value[:40]) if isinstance(key_node, ScalarNode) else "a collection"
                raise _Refusal(
                    "key", _BAD + f"a key must be a string, not {shown} (quote it)", key_node.start_mark
                )
            key = key_node.value
            if key in out:
                raise _Refusal(
                    "duplicate-key", f"duplicate key {key[:40]!r} in an object", key_node.start_mark
                )
            out[key] = self.construct_object(value_node, deep=True)
        return out

    def construct_bounded_int(self, node: Node) -> int:
        # a !!int tag on a collection comes here too: PyYAML's construct_scalar refuses it
        value = int(super().construct_yaml_int(node))  # type: ignore[arg-type]
        if abs(value) >= 10**MAX_INT_DIGITS:  # sexagesimal 1:2:…: few digits, a large value
            raise _Refusal(
                "integer",
                f"invalid YAML number {node.value[:40]}: more than {MAX_INT_DIGITS} digits",
                node.start_mark,
            )
        return value

    def construct_finite_float(self, node: Node) -> float:
        value = super().construct_yaml_float(node)  # type: ignore[arg-type]  # as for !!int above
        if not math.isfinite(value):
            raise _Refusal(
                "number",
                f"invalid YAML number {node.value[:40]}: NaN and infinities are not JSON",
                node.start_mark,
            )
        return float(value)

    def construct_not_json(self, node: Node) -> Any:
        name = node.tag.removeprefix(_TAG)
        hint = " (quote it)" if isinstance(node, ScalarNode) else ""
        raise _Refusal("type", f"a YAML !!{name} is not a JSON value{hint}", node.start_mark)


# The stubs type a constructor as a method of a whole Loader; these are mixed into the two below.
_StrictConstructor.add_constructor(_TAG + "map", _StrictConstructor.construct_strict_mapping)  # type: ignore[type-var]
_StrictConstructor.add_constructor(_TAG + "int", _StrictConstructor.construct_bounded_int)  # type: ignore[type-var]
_StrictConstructor.add_constructor(_TAG + "float", _StrictConstructor.construct_finite_float)  # type: ignore[type-var]
for _name in _NOT_JSON:
    _StrictConstructor.add_constructor(_TAG + _name, _StrictConstructor.construct_not_json)  # type: ignore[type-var]


class _PythonLoader(Reader, Scanner, Parser, _StrictComposer, _StrictConstructor, Resolver):
    """The strict loader over PyYAML's own (pure Python) parser."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        _StrictConstructor.__init__(self)
        Resolver.__init__(self)


_LOADERS: list[type[Any]] = [_PythonLoader]
try:  # libyaml's parser, three to four times faster; its events feed the same composer
    from yaml._yaml import CParser

    class _LibyamlLoader(_StrictComposer, CParser, _StrictConstructor, Resolver):
        """The strict loader over libyaml's parser (events only: composing stays in Python)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _StrictComposer.__init__(self)
            _StrictConstructor.__init__(self)
            Resolver.__init__(self)

    _LOADERS.insert(0, _LibyamlLoader)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    pass


def load_yaml(data: str | bytes, *, source: str = "", loader: type[Any] | None = None) -> Any:
    """*data* parsed as one YAML document under the rules above (``None`` for an empty document).

    Parameters
    ----------
    data : str or bytes
        The text; bytes must be UTF-8.
    source : str
        The file named in a refusal.
    loader : class, optional
        Which parser feeds the checks (tests run both); default libyaml's when PyYAML has it.

    Raises
    ------
    MalformedInput
        Not UTF-8, not YAML, or beyond one of the rules (the message names it and the line).
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise MalformedInput(
            f"a YAML document of {size} bytes (at most {MAX_YAML_BYTES}; larger data belongs in JSON)",
            rule="size",
            source=source,
        )
    text = _decode(data, "YAML", source)
    cls = loader or _LOADERS[0]
    try:
        ld = cls(text)
    except yaml.YAMLError as exc:  # the reader checks every character first
        raise _yaml_error(exc, text, source) from None
    try:
        return ld.get_single_data()
    except _Refusal as exc:
        raise MalformedInput(exc.message, rule=exc.rule, where=_at(exc.mark), source=source) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, source) from None
    except ValueError as exc:  # the pure scanner's chr() of an escape beyond U+10FFFF
        raise MalformedInput(
            _BAD + f"{exc}",
            rule="syntax",
            where=_at(ld.get_mark()) if hasattr(ld, "get_mark") else "",
            source=source,
        ) from None
    finally:
        ld.dispose()


def _yaml_error(exc: yaml.YAMLError, text: str, source: str) -> MalformedInput:
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or ""
        if "invalid Unicode character escape" in problem:  # libyaml: \ud800 or beyond U+10FFFF
            return MalformedInput(
                "invalid Unicode: a lone surrogate (or a code point beyond U+10FFFF) in the string",
                rule="unicode",
                where=_at(exc.problem_mark),
                source=source,
            )
        if "exceeded maximum nesting depth" in problem:  # libyaml's own limit (1000), met first
            return MalformedInput(
                _BAD + f"nested deeper than {MAX_DEPTH} levels",
                rule="depth",
                where=_at(exc.problem_mark),
                source=source,
            )
        words = ", ".join(w for w in (exc.context, problem) if w)
        return MalformedInput(
            _BAD + f"{words}", rule="syntax", where=_at(exc.problem_mark or exc.context_mark), source=source
        )
    if isinstance(exc, yaml.reader.ReaderError):
        pos = exc.position
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return MalformedInput(
            _BAD + f"character {char}: {exc.reason}",
            rule="syntax",
            where=f"line {line}, column {col}",
            source=source,
        )
    return MalformedInput(_BAD + f"{exc}", rule="syntax", source=source)  # pragma: no cover
