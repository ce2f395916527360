"""Output: data out. Briefing packs (PDF, PowerPoint), CSV/Excel, the public site."""
