"""Variation and assurance icons: a shape, a text label and a colour, never colour alone."""

from __future__ import annotations

import html

VARIATION = {
    # point_type: (shape, label, colour) — Making Data Count palette
    "common_cause": ("●", "Common cause", "#5F6163"),
    "special_cause_improvement": ("▲", "Improving", "#1F77B4"),
    "special_cause_concern": ("■", "Concerning", "#C35000"),
    "special_cause_neutral_high": ("◆", "Unusually high", "#5D3A9B"),
    "special_cause_neutral_low": ("▼", "Unusually low", "#5D3A9B"),
}
ASSURANCE = {
    "consistent_pass": ("✔", "Will meet target", "#1F77B4"),
    "consistent_fail": ("✖", "Will miss target", "#C35000"),
    "inconsistent": ("≈", "Hit and miss", "#5F6163"),
}


def _badge(shape: str, label: str, colour: str, title: str) -> str:
    return (f'<span class="oi-badge" title="{html.escape(title)}" role="img" aria-label="{html.escape(title)}" '
            f'style="border:2px solid {colour};color:{colour};border-radius:1em;padding:0 .55em;'
            f'font-weight:600;white-space:nowrap;display:inline-block;margin:0 .2em .2em 0">'
            f'{shape} {html.escape(label)}</span>')


def variation_badge(point_type: str | None) -> str:
    shape, label, colour = VARIATION.get(point_type or "", ("○", "Not enough data", "#5F6163"))
    return _badge(shape, label, colour, f"Variation: {label}")


def assurance_badge(assurance: str | None) -> str:
    if not assurance:
        return ""
    shape, label, colour = ASSURANCE[assurance]
    return _badge(shape, label, colour, f"Target: {label}")
