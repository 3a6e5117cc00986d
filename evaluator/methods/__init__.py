"""The verbs: pure functions on numpy arrays, one idea a module.

Nothing here imports from :mod:`evaluator.model`; every function takes arrays and plain
parameters and returns arrays (and, where useful, a dict of intermediate results for the
log and for the tables users know from SPSSAU/COINr).
"""
