"""Open method registries (normalisations, weights, aggregations, disparity) with their
declared parameters and intermediate quantities; plugins register through the
``evaluator.methods`` entry-point group. See :mod:`.core` and :mod:`.params`."""
from .core import (ENTRY_POINT_GROUP, FAMILIES, Method, Table, get, methods,  # noqa: F401
                   plugin_errors, register, reload_plugins)
from .params import Param, near_matches, valid_fix  # noqa: F401
