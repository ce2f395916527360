"""Access: who may see and do what: officers and admins, the public filter and the small-count rule."""
