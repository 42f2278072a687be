"""The verification pipeline: pure functions over images that decide nothing about HTTP or storage.

Nothing under this package imports from the rest of ``openkyc`` (web, database, storage, queue):
a worker hands it bytes and gets back frozen results that name the models that produced them.
"""
