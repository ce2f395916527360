"""Variation and assurance icons: a shape, a text label and a colour, never colour alone."""

from __future__ import annotations

import html

from perf.words import text, vocabulary

# point_type / assurance: (glyph, label, colour), read from the one vocabulary
VARIATION = {kind: (s.glyph, s.label, s.colour) for kind, s in vocabulary.POINT_TYPES.items()}
ASSURANCE = {kind: (s.glyph, s.label, s.colour) for kind, s in vocabulary.ASSURANCE.items()}


def _badge(shape: str, label: str, colour: str, title: str) -> str:
    return (
        f'<span class="oi-badge" title="{html.escape(title)}" role="img" aria-label="{html.escape(title)}" '
        f'style="border:2px solid {colour};color:{colour};border-radius:1em;padding:0 .55em;'
        f'font-weight:600;white-space:nowrap;display:inline-block;margin:0 .2em .2em 0">'
        f"{shape} {html.escape(label)}</span>"
    )


def variation_badge(point_type: str | None, *, prefix: str = "") -> str:
    """The latest point's variation as a badge; ``prefix`` ("Latest: ") says which point, where a sentence
    beside it speaks of the whole chart."""
    shape, label, colour = VARIATION.get(
        point_type or "", (vocabulary.NO_DATA.glyph, vocabulary.NO_DATA.label, vocabulary.NO_DATA.colour)
    )
    label = prefix + label
    meaning = vocabulary.POINT_TYPES[point_type].meaning if point_type in vocabulary.POINT_TYPES else ""
    return _badge(shape, label, colour, f"Latest point: {label}" + (f", {meaning}" if meaning else ""))


def legend(kinds: list[str] | None = None) -> str:
    """What the badges and the chart's point shapes mean, in plain words (for a councillor)."""
    shown = [k for k in vocabulary.POINT_TYPES if kinds is None or k in kinds]
    return " ".join(
        f"<span style='white-space:nowrap'>{VARIATION[k][0]} <strong>{html.escape(VARIATION[k][1])}"
        f"</strong></span>: {html.escape(vocabulary.POINT_TYPES[k].meaning)}."
        for k in shown
    )


def assurance_badge(assurance: str | None) -> str:
    if not assurance:
        return ""
    shape, label, colour = ASSURANCE[assurance]
    return _badge(shape, label, colour, f"Target: {label}")


def data_badge(provenance: str) -> str:
    """'Real data' or 'Illustrative data' as a badge (the words of perf.analysis.measures.provenance); '' for neither."""
    if not provenance:
        return ""
    style = vocabulary.PROVENANCE["real" if provenance.startswith("Real data") else "illustrative"]
    return _badge(style.glyph, style.label, style.colour, provenance)


def data_line(provenance: str, source: str = "") -> str:
    """The badge and, beside it, the source in words (``source``, else the provenance) when they say more than
    the badge does: an illustrative measure's badge alone (its words were 'Illustrative data' twice)."""
    badge = data_badge(provenance)
    words = source or provenance
    if not badge or words == vocabulary.PROVENANCE["illustrative"].label:
        return badge
    return badge + f" <span style='color:#555'>{text.html(words)}</span>"
