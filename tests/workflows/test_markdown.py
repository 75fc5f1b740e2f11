"""Caller text in the Web UI's Markdown reads as typed: every character that could start an
element is escaped, and taking the escapes away gives the text back."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from workflows.markdown import inert


@given(st.text(max_size=80).filter(lambda t: "\n" not in t and "\r" not in t))
def test_the_escapes_alone_are_added(text: str) -> None:
    escaped = inert(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.splitlines())


def test_what_could_become_an_element_is_escaped() -> None:
    assert inert("c<img src=x>[a](javascript:b) https://e.x *em*") == (
        r"c\<img src=x\>\[a\]\(javascript:b\) https\://e.x \*em\*"
    )
    assert [inert(t) for t in ("- a", "# b", "1. c", "cust-123")] == [
        r"\- a", r"\# b", r"1\. c", "cust-123"
    ]  # fmt: skip
