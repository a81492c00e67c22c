"""Spotify's field filter: the `fields` parameter of `GET /playlists/{id}` and of the items
of a playlist, parsed once and applied to an answer.

The definition describes it (`fields` of `get-playlist` and `get-playlists-items`): "a
comma-separated list of the fields to return"; "a dot separator can be used to specify
non-reoccurring fields, while parentheses can be used to specify reoccurring fields within
objects" (`items(added_at,added_by.id)`); "use multiple parentheses to drill down into
nested objects" (`items(track(name,href,album(name,href)))`); "fields can be excluded by
prefixing them with an exclamation mark" (`items.track.album(!external_urls,images)`).

How the emulator reads what the definition leaves open:

- A list that holds a `!` is an exclusion list: every field it names is left out and every
  other field kept (so `album(!external_urls,images)` is the album without either; the
  exclamation mark "prefixes them", the list). A field of an exclusion list that has its
  own selection (`!album(name)`, `!album.name`) is kept, filtered by that selection.
- A dot is a one-field selection: `added_by.id` is `added_by(id)`.
- A selection applies to each element of an array (`items(...)`) and to an object alike;
  a value that is neither (a string, `null`) comes back as it is.
- A field named twice is selected once, with the union of its selections.

`parse_fields("")` is no filter (`None`); a malformed filter (an empty name, a stray or
missing parenthesis, a character that cannot be in a key) raises `FieldsError`, which the
handlers answer with a 400 (Spotify's message for it is undocumented).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

__all__ = ["FieldFilter", "FieldsError", "apply_fields", "parse_fields"]

_NAME = re.compile(r"[A-Za-z0-9_]+")


class FieldsError(ValueError):
    """A `fields` value that is not a field filter."""


@attrs.frozen
class FieldFilter:
    """One list of a filter: the fields it names, each with its own selection (`None`: the
    whole value), and whether it is an exclusion list."""

    fields: dict[str, FieldFilter | None]
    exclude: bool = False


@attrs.frozen
class _Entry:
    bang: bool
    name: str
    tail: _Entry | None  # after a dot
    group: list[_Entry] | None  # in parentheses


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> FieldsError:
        return FieldsError(f"invalid fields filter {self.text!r}: {what} at {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def entries(self) -> list[_Entry]:
        found = [self.entry()]
        while self.peek() == ",":
            self.pos += 1
            found.append(self.entry())
        return found

    def entry(self, *, dotted: bool = False) -> _Entry:
        bang = False
        if self.peek() == "!" and not dotted:
            bang = True
            self.pos += 1
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail("a field name expected")
        self.pos = match.end()
        if self.peek() == ".":
            self.pos += 1
            return _Entry(bang, match.group(), self.entry(dotted=True), None)
        if self.peek() == "(":
            self.pos += 1
            group = self.entries()
            if self.peek() != ")":
                raise self.fail("')' expected")
            self.pos += 1
            return _Entry(bang, match.group(), None, group)
        return _Entry(bang, match.group(), None, None)


def _build(entries: list[_Entry], exclude: bool | None = None) -> FieldFilter:
    if exclude is None:
        exclude = any(entry.bang for entry in entries)
    fields: dict[str, FieldFilter | None] = {}
    for entry in entries:
        child: FieldFilter | None = None
        if entry.tail is not None:
            child = _build([entry.tail], exclude)
        elif entry.group is not None:
            child = _build(entry.group)
        if entry.name in fields:
            child = _merge(fields[entry.name], child, exclude)
        fields[entry.name] = child
    return FieldFilter(fields, exclude)


def _merge(a: FieldFilter | None, b: FieldFilter | None, exclude: bool) -> FieldFilter | None:
    # Selected whole once (an inclusion) or left out once (an exclusion) wins; two
    # selections of the same kind are joined, of different kinds the later one stands.
    if a is None or b is None:
        return None
    if a.exclude != b.exclude:
        return b
    merged = dict(a.fields)
    for name, child in b.fields.items():
        merged[name] = _merge(merged[name], child, exclude) if name in merged else child
    return FieldFilter(merged, a.exclude)


def parse_fields(text: str | None) -> FieldFilter | None:
    """The filter `text` states, `None` for no filter (absent or empty).

    Raises:
        FieldsError: `text` is not a field filter.
    """
    if not text:
        return None
    parser = _Parser(text)
    entries = parser.entries()
    if parser.pos != len(text):
        raise parser.fail("unexpected character")
    return _build(entries)


def apply_fields(selection: FieldFilter | None, value: Any) -> Any:
    """`value` with only the fields `selection` keeps (a new object; `value` is unchanged)."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [apply_fields(selection, element) for element in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if key in selection.fields:
            child = selection.fields[key]
            if child is not None:
                kept[key] = apply_fields(child, item)
            elif not selection.exclude:
                kept[key] = item
        elif selection.exclude:
            kept[key] = item
    return kept
