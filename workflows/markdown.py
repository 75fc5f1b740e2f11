"""Text that a person reads in the Web UI, where summaries and details are Markdown."""

from __future__ import annotations

# The Web UI renders summaries and details as Markdown, raw HTML included. Caller text goes in
# with a backslash before what can start an element there: HTML, links, images, emphasis,
# code, tables, strikethrough anywhere; an autolink's `://`; a list, heading or quote at the
# start. The UI's renderer honours these escapes (measured; it leaves `\=`, `\/`, `\@` as
# typed, which none of this needs).
ANYWHERE = frozenset("\\`*_{}[]()<>!|~&$^")
AT_START = frozenset("-+#")


def inert(text: str) -> str:
    """Caller text as Markdown that renders as exactly that text (no link, image, tag or
    emphasis), on one line, whatever it holds."""
    text = " ".join(text.splitlines())
    escaped = []
    for at, char in enumerate(text):
        special = (
            char in ANYWHERE
            or (at == 0 and char in AT_START)
            or (char == "." and text[:at].isdigit())  # "1." would start a numbered list
            or (char == ":" and text.startswith("//", at + 1))
        )
        escaped.append(f"\\{char}" if special else char)
    return "".join(escaped)
