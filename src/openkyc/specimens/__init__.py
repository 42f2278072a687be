"""Synthetic specimens (documents, faces, selfies) for tests, the demo, the sandbox and evals."""
