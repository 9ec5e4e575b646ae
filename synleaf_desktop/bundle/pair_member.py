"""Record the pair-aware choice of a written bundle (issue 13, part 4).

:func:`add_pair_model` adds the fitted stacker as the member ``pair_model.npz`` (checked by
:func:`synleaf_desktop.bundle.validate.check_pair_model`), records ``manifest["pair_aware"]``
(``chosen``, ``variant``, ``rule``, ``figures``, ...) and rewrites the model card. The weight
file ``model.npz`` and every other member are left as they are. Where the pair-aware model is
not chosen nothing is written (bundles stay byte-identical).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .validate import PAIR_MODEL_FILE, check_pair_model


def add_pair_model(
    folder: str | Path, arrays: Mapping[str, np.ndarray], entry: Mapping[str, Any]
) -> Path:
    """Add ``pair_model.npz`` (arrays of ``train.pair_aware.to_arrays``) and ``manifest["pair_aware"]``
    (``entry``, with ``chosen`` true and ``file`` set here) to a bundle; rewrite its card.

    Returns the member's path. Raises BundleError when the arrays do not pass the check."""
    from .card import write_model_card
    from .writer import add_bundle_member

    folder = Path(folder)
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    check_pair_model(folder / PAIR_MODEL_FILE, arrays, n_genes=0, full=True)
    meta = dict(entry, chosen=True, file=PAIR_MODEL_FILE)
    path = add_bundle_member(folder, PAIR_MODEL_FILE, arrays, "pair_aware", meta)
    write_model_card(folder)
    return path
