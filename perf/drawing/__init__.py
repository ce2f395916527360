"""Drawing: how a chart looks, once. Vega-Lite specs for the interactive charts, and the same charts as inline SVG."""
