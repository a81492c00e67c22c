"""A griffe extension for the API reference: the docstrings' reStructuredText roles to Markdown.

The package's docstrings use Sphinx roles (``:class:`~trio_spotify.Token```) and literal
blocks introduced by ``::``, which Markdown would print as they are. This turns a role into
inline code (the last component when the target starts with ``~``, as Sphinx shows it) and
``text::`` before an indented block into ``text:``. Loaded by mkdocstrings (``mkdocs.yml``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|exc|data|mod|obj|const):`(~?)([^`]+)`")
_LITERAL = re.compile(r"(\S)::$", re.MULTILINE)
_ESCAPED_PLURAL = re.compile(r"`\\ s\b")


def _role(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2).strip()
    if short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def to_markdown(text: str) -> str:
    text = _ROLE.sub(_role, text)
    text = _ESCAPED_PLURAL.sub("`s", text)
    return _LITERAL.sub(r"\1:", text)


class RstRoles(griffe.Extension):
    """Rewrites every docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
