"""Manual review: the queue of sessions waiting for a person, assignment, notes, four-eyes."""
