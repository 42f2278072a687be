"""Liveness: an active head-movement challenge verified from the face mesh, plus passive cues."""
