"""``samples.npz``: every scenario of a run, compact and self-contained.

Layout (an uncompressed numpy ``.npz``; ``numpy.load`` reads it):

``codes``           (scenarios × factors) uint8 (uint16 when a factor has more than 255
                    alternatives): the alternative of each discrete factor, in the order
                    of ``legend["factors"]`` (0 for a factor that does not vary).
``weight_draws``    (scenarios × edges) float32, only when the weights vary; the engine
                    scores exactly these values:

                    * ``perturb``: the multiplier of each nominal weight, 1 − f + 2f·u;
                    * ``dirichlet``: the drawn relative weight of each child within its
                      parent (a Dirichlet(c · nominal) draw, 0 for an absent child).
``nominal_weights`` (groups × edges) float64: each group's nominal relative weight of
                    each edge (0 where the edge is absent, e.g. its indicator left out).
``legend``          a JSON string: ``factors`` (name, choices), ``sizes``, ``edges``
                    ((parent, child) pairs, children before parents), ``weights``
                    (none | perturb | dirichlet), ``weights_param``, ``design``, ``seed``,
                    ``samples``, ``scenarios`` and this description.

A scenario's group is ``numpy.ravel_multi_index(codes[s], legend["sizes"])``. Its relative
weight of edge e under parent p is v_e / Σ_{e' under p} v_{e'}, with v = draws ×
nominal_weights[group] (perturb) or v = draws (dirichlet); :func:`sampled_weights` does
exactly that. The arrays are streamed into the zip file chunk by chunk as the scenarios
are generated (the codes, a few bytes per scenario, through a small temporary file), so
saving never holds a second copy of the draws.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

LAYOUT = ("codes: scenarios x factors (alternative index per discrete factor); "
          "weight_draws: scenarios x edges float32 (perturb: multiplier of the nominal "
          "weight; dirichlet: relative weight within the parent); nominal_weights: groups "
          "x edges; group = ravel_multi_index(codes, sizes); weight within parent = v / "
          "sum over the parent's edges of v, v = draws * nominal_weights[group] (perturb) "
          "or draws (dirichlet)")


def _npy_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_2_0(buf, {"descr": np.lib.format.dtype_to_descr(dtype),
                                               "fortran_order": False, "shape": shape})
    return buf.getvalue()


def codes_dtype(sizes) -> np.dtype:
    return np.dtype(np.uint8) if max(sizes, default=1) <= 256 else np.dtype(np.uint16)


class SampleWriter:
    """Streams scenarios into ``path`` (written under a temporary name in the same
    folder, renamed by :meth:`close`; :meth:`abort` leaves nothing behind). Scenarios must
    be added in order."""

    def __init__(self, path: str | Path, total: int, sizes: tuple[int, ...],
                 n_edges: int | None, nominal_weights: np.ndarray, legend: dict):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.total, self.done = int(total), 0
        self.codes_dtype = codes_dtype(sizes)
        self.n_factors = len(sizes)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                   dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        fd, codes_tmp = tempfile.mkstemp(prefix=".codes.", suffix=".tmp", dir=self.path.parent)
        self.codes_file = os.fdopen(fd, "w+b")
        self.codes_tmp = Path(codes_tmp)
        self.zip = zipfile.ZipFile(self.tmp, "w", zipfile.ZIP_STORED, allowZip64=True)
        self.nominal = np.asarray(nominal_weights, dtype=np.float64)
        self.legend = {**legend, "sizes": list(map(int, sizes)), "layout": LAYOUT}
        self.draws = None
        if n_edges is not None:
            self.draws = self.zip.open("weight_draws.npy", "w", force_zip64=True)
            self.draws.write(_npy_header(np.dtype(np.float32), (self.total, int(n_edges))))

    def add(self, start: int, codes: np.ndarray, draws: np.ndarray | None) -> None:
        if start != self.done:
            raise AssertionError("scenarios must be saved in order")  # pragma: no cover
        self.codes_file.write(np.ascontiguousarray(codes, dtype=self.codes_dtype).tobytes())
        if self.draws is not None:
            self.draws.write(np.ascontiguousarray(draws, dtype=np.float32).tobytes())
        self.done += len(codes)

    def close(self) -> None:
        if self.done != self.total:
            raise AssertionError("not every scenario was saved")  # pragma: no cover
        if self.draws is not None:
            self.draws.close()
        with self.zip.open("codes.npy", "w", force_zip64=True) as fh:
            fh.write(_npy_header(self.codes_dtype, (self.total, self.n_factors)))
            self.codes_file.seek(0)
            while block := self.codes_file.read(1 << 20):
                fh.write(block)
        with self.zip.open("nominal_weights.npy", "w") as fh:
            np.lib.format.write_array(fh, self.nominal)
        with self.zip.open("legend.npy", "w") as fh:
            np.lib.format.write_array(fh, np.array(json.dumps(self.legend, ensure_ascii=False)))
        self.zip.close()
        self._drop_codes()
        os.replace(self.tmp, self.path)

    def _drop_codes(self) -> None:
        if not self.codes_file.closed:
            self.codes_file.close()
        self.codes_tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):              # best effort: we are failing already
            if self.draws is not None and not self.draws.closed:
                self.draws.close()
            self.zip.close()
        self._drop_codes()
        self.tmp.unlink(missing_ok=True)


def sampled_weights(path: str | Path, scenarios=None) -> np.ndarray:
    """Rebuild, from a ``samples.npz`` alone, the relative weight of every edge within its
    parent (scenarios × edges; 0 for an edge absent from the scenario's group) for the
    given scenario indices (default: all). Without varying weights: the nominal ones."""
    with np.load(path) as saved:
        legend = json.loads(str(saved["legend"]))
        codes = saved["codes"]
        pick = np.arange(len(codes)) if scenarios is None else np.asarray(scenarios)
        codes = codes[pick].astype(np.int64)
        group = np.ravel_multi_index(tuple(codes.T), legend["sizes"])
        nominal = saved["nominal_weights"][group]
        if "weight_draws" in saved.files:
            draws = saved["weight_draws"][pick].astype(np.float64)
            values = draws * nominal if legend["weights"] == "perturb" else draws
        else:
            values = nominal
    parents = [p for p, _ in legend["edges"]]
    out = np.zeros_like(values)
    for parent in dict.fromkeys(parents):
        cols = np.flatnonzero([p == parent for p in parents])
        W = values[:, cols]
        out[:, cols] = W / W.sum(axis=1, keepdims=True)
    return out


__all__ = ["SampleWriter", "sampled_weights", "LAYOUT"]
