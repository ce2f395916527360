"""Output: data out. Charts (Vega-Lite, SVG), briefing packs (PDF, PowerPoint), CSV/Excel, the public site."""
