"""Outside-In's engine: the council's measures, demand and capability, computed without Streamlit."""
