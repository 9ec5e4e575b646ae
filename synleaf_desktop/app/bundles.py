"""From a written bundle to one that users can read: ranks, held-out recall and evidence.

Every bundle, built-in (``synleaf bundle build``) or trained in the app, goes through
:func:`finish_bundle` after :func:`synleaf_desktop.bundle.writer.write_bundle`, so both kinds carry
the same members: ``calibration.npz`` (genome-wide rank map, held-out recall, each gene's typical
rank; :mod:`synleaf_desktop.scoring.calibration`) and, when the cohort is known,
``evidence.npz`` (per-gene inactivation calls of the context's tumours), then the model card is
written again so that it states them. A model trained in the app also gets its pair-aware
score fitted and, where the rule says so, chosen (:mod:`synleaf_desktop.app.pair_aware`; the
built-in models got theirs from the 19-scenario benchmark), between the evidence it reads and
the rank map that then describes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..bundle.card import write_model_card
from ..bundle.format import open_model_arrays
from ..bundle.writer import add_bundle_member, set_manifest_entry
from ..errors import SynleafError
from ..fileio import read_json
from ..progress import Progress, ensure
from ..scoring.calibration import add_calibration

#: optional step that adds cohort evidence to a bundle: (bundle folder, progress) -> manifest entry
EvidenceStep = Callable[[Path, Progress], "dict[str, Any] | None"]


def finish_bundle(
    folder: str | Path,
    progress: Progress | None = None,
    evidence: EvidenceStep | None = None,
    n_threads: int | None = None,
    pair_aware: bool = False,
) -> dict[str, Any]:
    """Add the calibration (and evidence, when a step is given; the pair-aware score, when
    ``pair_aware``) to a written bundle and rewrite its model card. Returns
    ``{"calibration": entry, "evidence": entry | None, "pair_aware": entry | None}``."""
    from .pair_aware import fit_pair_aware

    folder = Path(folder)
    progress = ensure(progress)
    # evidence first: a pair-aware score (and so its rank map) reads the cohort evidence
    ev = evidence(folder, progress.sub(0.0, 0.1)) if evidence is not None else None
    pa = fit_pair_aware(folder, progress.sub(0.1, 0.2)) if pair_aware else None
    cal = add_calibration(folder, progress.sub(0.2, 0.95), n_threads=n_threads)
    has_evidence = (folder / "evidence.npz").is_file() and isinstance(
        (read_json(folder / "manifest.json").get("evidence") or {}).get("file"), str
    )
    if ev is None and not (evidence is None and has_evidence):
        # recorded, so that every model's manifest says what it has (a finish without an
        # evidence step keeps the evidence the bundle already has)
        set_manifest_entry(
            folder,
            "evidence",
            {
                "file": None,
                "reason": "no cohort evidence: the cohort has no mutation or copy-number data "
                "usable for inactivation calls"
                if evidence is not None
                else "no cohort evidence was computed for this model",
            },
        )
    write_model_card(folder)
    progress.update(1.0, f"{folder.name}: ranks ready")
    return {"calibration": cal, "evidence": ev, "pair_aware": pa}


def _add_evidence(folder: Path, calls: Any, progress: Progress) -> dict[str, Any]:
    """Write ``evidence.npz`` from inactivation calls, aligned to the bundle's genes."""

    from ..data.inactivation import evidence_arrays

    progress.update(0.0, f"{folder.name}: cohort evidence")

    genes = np.asarray(open_model_arrays(folder / "model.npz")["genes"]).astype(str)
    arrays = evidence_arrays(calls, genes.tolist())
    meta = json.loads(str(np.asarray(arrays["meta_json"])[()])) if "meta_json" in arrays else {}
    bits = arrays["inact_bits"]
    entry = {
        "file": "evidence.npz",
        "tumours": len(arrays["samples"]),
        "genes_profiled": int((np.asarray(arrays["gene_types"]) > 0).sum()),
        "genes_ever_inactivated": int((np.asarray(bits).any(axis=1)).sum()),
        **meta,
    }
    add_bundle_member(folder, "evidence.npz", arrays, "evidence", entry)
    progress.update(1.0, f"{folder.name}: cohort evidence ready")
    return entry


def builtin_evidence(data_dir: str | Path) -> EvidenceStep:
    """The evidence step of a built-in context: its tumours' calls from the shared data folder
    (``omics/<NAME>/``; the bundle folder's name is the context name)."""

    def step(folder: Path, progress: Progress) -> dict[str, Any]:
        from ..data.inactivation import inactivation_for_builtin

        return _add_evidence(folder, inactivation_for_builtin(data_dir, folder.name), progress)

    return step


def files_evidence(name: str, files: Any) -> EvidenceStep:
    """The evidence step for a cohort known by its raw files ``[(path, kind, fmt), ...]``
    (:func:`synleaf_desktop.data.inactivation.cohort_inputs`). Files that are gone or unusable
    give no evidence (None), never a failed model."""

    def step(folder: Path, progress: Progress) -> dict[str, Any] | None:
        from ..data.inactivation import choose_inputs, inactivation_from_files

        try:
            mut, cna, notes = choose_inputs(files)
            calls = inactivation_from_files(name, mut, cna, None, notes)
        except (ValueError, OSError, SynleafError):
            return None
        return _add_evidence(folder, calls, progress)

    return step


def cohort_evidence(cohort: Any) -> EvidenceStep:
    """The evidence step of a model trained on an imported cohort: calls from the cohort's own
    raw files, the same rules as the built-in contexts. A cohort without usable mutation or
    copy-number files gets no evidence (None), not an error."""

    def step(folder: Path, progress: Progress) -> dict[str, Any] | None:
        from ..data.inactivation import inactivation_from_cohort

        try:
            calls = inactivation_from_cohort(cohort)
        except ValueError:
            return None
        return _add_evidence(folder, calls, progress)

    return step
