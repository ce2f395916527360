"""Words: the one vocabulary of a signal (words, colours, shapes, glyphs), user text kept plain, and the sentences."""
