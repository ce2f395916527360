"""User text as plain text: what a council types (a measure's name, an owner, a phase label, a
demand's nature, who reviewed) is shown as the words typed, never read as Markdown, HTML or SVG.

Streamlit reads Markdown in ``st.markdown``, ``st.caption``, ``st.write``, titles, ``st.table``
cells, metric and widget labels; a measure named ``![x](https://tracker.example/p.png)`` would make
every visitor's browser fetch that image. :func:`markdown` escapes every ASCII punctuation mark
(CommonMark lets any of them be escaped, and an escaped one is shown as itself), so no link,
image, emphasis, heading, list, table, maths or HTML can start. Streamlit also turns a bare
``http://…``, ``www.…`` or e-mail address into a link after the Markdown is read (GFM "autolink
literals", matched on the words themselves, so escapes do not stop it): an invisible word joiner
(U+2060) goes between ``http`` and ``://``, after ``www`` and before ``@``, so the address reads and
copies the same but is never a link. :func:`html` is for HTML and SVG
(``unsafe_allow_html``, the inline SVG charts): entities escaped, and line breaks folded into
spaces, since a blank line inside an HTML block ends it and what follows would be read as
Markdown. Both drop control characters. Pure and Streamlit-free, so the engine's SVG uses the same.

Example
-------
>>> markdown("![x](p.png) **big**")
'\\\\!\\\\[x\\\\]\\\\(p\\\\.png\\\\) \\\\*\\\\*big\\\\*\\\\*'
>>> markdown("see http://t.example") == "see http" + WORD_JOINER + "\\\\:\\\\/\\\\/t\\\\.example"
True
>>> html("Chasing\\n\\n<img src=x> & co")
'Chasing &lt;img src=x&gt; &amp; co'
"""

from __future__ import annotations

import html as _html
import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=://)|(?<=http)(?=://)|(?<=ftp)(?=://)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def _clean(value: object) -> str:
    return _CONTROL.sub("", "" if value is None else str(value))


def markdown(value: object) -> str:
    """``value`` as text to put inside Markdown, shown exactly as typed (line breaks as spaces)."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, _BREAKS.sub(" ", _clean(value)))
    return _PUNCTUATION.sub(r"\\\1", unlinked)


def html(value: object) -> str:
    """``value`` as text (or an attribute value) inside HTML or SVG, on one line."""
    return _html.escape(_BREAKS.sub(" ", _clean(value)).replace("\t", " "), quote=True)
