"""Trial models: user models trained with the app's *Quick run* (one fold, few epochs).

They exist to check that a cohort and a label table train at all; their scores are not meant
to be compared with or averaged into the other contexts. So the GUI does not tick them by
default, the CLI leaves them out of its default context set (``--include-trial`` adds them),
and every listing labels them "(trial)".

A manifest marks a trial model when ``training.quick`` is true (written by the app's training
job), or, for models made elsewhere, when it was trained on a single fold with at most
:data:`TRIAL_MAX_EPOCHS` epochs per stage.
"""

from __future__ import annotations

from typing import Any

#: epochs per stage of the app's quick run (``app.training.QUICK_EPOCHS``)
TRIAL_MAX_EPOCHS = 20
TRIAL_TAG = "(trial)"


def is_trial(manifest: dict[str, Any] | None) -> bool:
    """True for a quick-run model (see the module docstring)."""
    m = manifest or {}
    training = m.get("training") or {}
    if not isinstance(training, dict):
        return False
    if training.get("quick") is True:
        return True
    folds = m.get("fold_ids")
    n_folds = len(folds) if isinstance(folds, list) else m.get("folds_trained")
    cfg = training.get("config") or {}
    max_epochs = cfg.get("max_epochs") if isinstance(cfg, dict) else None
    try:
        return (
            n_folds is not None
            and int(n_folds) == 1
            and max_epochs is not None
            and int(max_epochs) <= TRIAL_MAX_EPOCHS
        )
    except (TypeError, ValueError):
        return False


def display_name(name: str, manifest: dict[str, Any] | None) -> str:
    """``"MY_OV (trial)"`` for a trial model, else the name."""
    return f"{name} {TRIAL_TAG}" if is_trial(manifest) else name
