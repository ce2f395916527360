-- Facts about the dataset: whether it is illustrative, its name, attribution, when it was built.
SELECT key, value FROM meta ORDER BY key;
