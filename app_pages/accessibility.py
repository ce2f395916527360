"""Accessibility statement: what we do to meet WCAG 2.2 AA, what we know falls short, and how to tell us.

Public sector websites must publish one (Public Sector Bodies (Websites and Mobile Applications)
(No. 2) Accessibility Regulations 2018); this follows the GOV.UK sample statement's headings.
"""

from __future__ import annotations

import streamlit as st

from ui import cached

meta = cached.meta()
council = meta.get("dataset_name") or "The council"
contact = (
    meta.get("accessibility_contact")
    or "the council's performance team (see the council's website for contact details)"
)

st.title("Accessibility statement")
st.markdown(f"""
This statement covers Outside-In, the performance dashboard published by {council}. We want as many people
as possible to be able to use it. We aim to meet the **Web Content Accessibility Guidelines (WCAG) 2.2 at
level AA**.

### What we do
- **Every chart has a text alternative.** Each chart comes with a plain-English sentence saying what it
  shows ("Stable at about 120 contacts a month; expect between 98 and 146"), and its numbers can be
  downloaded as a table (CSV or Excel) from *Reports and exports*. Chart images in briefing packs and
  measure sheets carry that sentence as alt text.
- **Colour is never the only cue.** Special-cause points on a chart have their own shape as well as
  colour (triangle for improving, square for concerning, diamond or downward triangle for unusual), and
  every variation and target icon has a text label. The colours are chosen to stay distinguishable for
  the common kinds of colour blindness.
- **Keyboard use.** Filters, buttons, links and downloads are standard controls that can be reached and
  used with the keyboard alone.
- **Readable text.** All text, captions included, has a contrast of at least 4.5:1 (checked by axe-core,
  below), and pages reflow when you zoom. Every control shows a clear blue ring when the keyboard is on
  it, and the parts of a date picker are at least 24 by 24 pixels. Briefing mode and briefing packs use large type and one measure per screen or page.
- **Plain language.** We avoid jargon; where a term is needed (for example "special cause") we explain it.
- **Printable and offline.** Briefing packs (PDF, PowerPoint) and one-page measure sheets can be read
  offline and with a screen reader. The PDFs are tagged: headings, paragraphs and charts are marked up
  in reading order, each chart has its sentence as alt text, and the document has a language and a title;
  page footers and the shapes beside their words are marked as decoration. In PowerPoint decks every
  chart has alt text, each slide is read title first, and the badge shapes are marked decorative.

### Known limitations
- The interactive charts are drawn as images in the browser: a screen reader reads the sentence above each
  chart and the downloadable table, but cannot explore individual points. Hover tooltips need a pointer.
- The PDFs follow PDF/UA's structure rules, and our tests read their structure back, but we have not
  checked them with a PDF/UA validator (such as veraPDF), so they do not claim PDF/UA conformance. The
  links on a pack's contents page are read as text, not announced as links.
- The map of wards shows values by shading; the ward values are in the published data download.
- Some components come from the Streamlit framework and we cannot change all of their behaviour. Where
  axe-core found Streamlit's own markup at fault we changed what we could: the page menu is our own
  (Streamlit's menu marked up its sections as list items outside a list), and captions are drawn opaque.
  axe-core finds no remaining failure that we have had to leave in place.

### Reporting a problem
If you find something hard to use, or you need information in a different format (large print, easy read,
audio), contact {contact}. Tell us the page, what you were trying to do and what went wrong.

### Enforcement
The Equality and Human Rights Commission (EHRC) enforces the accessibility regulations. If you are not
happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS).

### How we tested
Last tested on 7 December 2026, with **axe-core 4.14.1** (Deque's open-source accessibility checker,
the one most public-sector audits use) running in the Chromium browser as part of the dashboard's
automated tests, so every change is checked again. It checks every page against the WCAG 2.0, 2.1 and
2.2 level A and AA rules: in the public view and signed in, each page as it first opens and with a ward
and a measure chosen, and the sign-in and data pages. It found no failures.

An automated checker finds only some kinds of problem (for example contrast, missing labels, invalid
markup, small targets); it cannot judge whether a label makes sense or whether the reading order is
sensible. Other automated tests tab through pages with the keyboard and check that every stop shows a
focus ring, measure chart text as drawn (at least 14 pixels in a 1280 by 720 window), read back the
structure tree of the PDF packs (headings, reading order, alt text on every chart, language, title) and
the alt text of every chart in the PowerPoint decks, and check that the public view shows only published
measures. No one has yet tested the dashboard with a screen reader; we would welcome reports from anyone
who does. This statement will be reviewed whenever the dashboard changes.
""")
