"""Retention: personal data is deleted on a schedule, per data class, and on request.

See docs/privacy.md for the data classes, their defaults and what each deletion removes."""
