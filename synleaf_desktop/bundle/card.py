"""``MODEL_CARD.md``: a human-readable model card generated from a bundle's manifest.

    from synleaf_desktop.bundle.card import write_model_card
    write_model_card("bundled_models/BRCA")        # -> bundled_models/BRCA/MODEL_CARD.md

The card is written from ``manifest.json`` (the keys of :mod:`synleaf_desktop.bundle.writer`
and what :mod:`synleaf_desktop.bundle.build` puts in ``manifest_extra``) and, when present,
the pair counts of ``split_pairs.npz``. Every key is read defensively: a missing key prints
"not recorded", never an invented value. The card is not listed in the manifest's ``files``,
so writing it does not change the bundle's checksums. Numpy only (no torch, no Qt).

Sections: summary, how a score is computed, training data (and what differs from the paper),
validation and test metrics per fold, strategy selection, shipped vs trained folds, training
settings, intended use, limitations, how to cite.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..fileio import atomic_path, read_json
from .format import MANIFEST, SPLIT_PARTS, SPLITS_FILE

CARD_FILE = "MODEL_CARD.md"
NOT_RECORDED = "not recorded"

#: metric columns of the per-fold table, in this order when present (others follow, sorted)
METRIC_ORDER = (
    "val_auc",
    "val_aupr",
    "val_f1_best",
    "val_f1_at_0.5",
    "test_auc",
    "test_aupr",
    "test_f1_best",
    "test_f1_at_0.5",
    "test_auc_both_orders",
    "test_aupr_both_orders",
    "test_f1_best_both_orders",
    "test_f1_at_0.5_both_orders",
)
#: strategies in the comparison table, in this order when present
STRATEGY_ORDER = ("only_omics", "only_kg", "umt", "ume")
STRATEGY_NAMES = {
    "umt": "UMT (uni-modal teacher): student omics and KG encoders distilled from the two single-modality "
    "teachers, with a two-layer head over both genes' embeddings",
    "ume": "UME (uni-modal ensemble): the mean of the omics teacher's and the KG teacher's probabilities",
    "only_omics": "omics teacher alone (stage 1)",
    "only_kg": "knowledge-graph teacher alone (stage 1)",
}
OMICS_NAMES = {
    "mut": "somatic mutation",
    "cna": "copy number",
    "exp": "mRNA expression",
    "myl": "DNA methylation",
}
#: the omics each of the paper's models used (METHOD.md, headline facts)
PAPER_OMICS_SINGLE = ("mut", "cna", "exp", "myl")
PAPER_OMICS_PAN = ("mut", "cna", "exp")

PAPER_TITLE = (
    "SynLeaF: A Dual-Stage Multimodal Fusion Framework for Synthetic Lethality Prediction Across "
    "Pan- and Single-Cancer Contexts"
)
PAPER_ID = "arXiv:2603.22369"


# ----------------------------------------------------------------------
# small helpers


def _get(d: Any, *keys: str, default: Any = None) -> Any:
    """``d[k1][k2]...`` or ``default`` when any level is missing or not a mapping."""
    for k in keys:
        if not isinstance(d, Mapping) or k not in d or d[k] is None:
            return default
        d = d[k]
    return d


def _sub(m: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``m[key]`` when it is a mapping, else an empty one."""
    v = m.get(key)
    return v if isinstance(v, Mapping) else {}


def _num(x: Any, nd: int = 4) -> str:
    """A metric value with ``nd`` decimals; "–" for missing / NaN."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if not math.isfinite(v) else f"{v:.{nd}f}"


def _txt(x: Any) -> str:
    """A value for a table cell or sentence ("not recorded" for None / empty)."""
    if x is None or (isinstance(x, (str, list, dict, tuple)) and len(x) == 0):
        return NOT_RECORDED
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, (list, tuple)):
        return ", ".join(_txt(v) for v in x)
    return str(x).replace("|", "\\|").replace("\n", " ")


def _int(x: Any) -> str:
    try:
        return f"{int(x):,}"
    except (TypeError, ValueError):
        return NOT_RECORDED


def _mean_sd(values: Sequence[Any]) -> tuple[float, float, int]:
    v = np.array([np.nan if x is None else _as_float(x) for x in values], dtype=np.float64)
    v = v[np.isfinite(v)]
    if not len(v):
        return math.nan, math.nan, 0
    return float(v.mean()), float(v.std()), len(v)


def _as_float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _table(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None
) -> list[str]:
    align = list(align or ["l"] * len(header))
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _metrics(manifest: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """``{strategy: {metric: [per fold]}}`` from the manifest, tolerating odd shapes."""
    raw = manifest.get("metrics")
    out: dict[str, dict[str, list[Any]]] = {}
    if not isinstance(raw, Mapping):
        return out
    for strat, table in raw.items():
        if isinstance(table, Mapping):
            out[str(strat)] = {
                str(m): list(v) if isinstance(v, (list, tuple)) else [v] for m, v in table.items()
            }
        elif isinstance(
            table, (list, tuple)
        ):  # [{metric: value}, ...] (the writer's other accepted form)
            per: dict[str, list[Any]] = {}
            for row in table:
                if isinstance(row, Mapping):
                    for m, v in row.items():
                        per.setdefault(str(m), []).append(v)
            out[str(strat)] = per
    return out


def _ordered(keys: Iterable[str], order: Sequence[str]) -> list[str]:
    keys = list(keys)
    return [k for k in order if k in keys] + sorted(k for k in keys if k not in order)


def split_pair_counts(
    folder: str | Path, n_folds: int | None = None
) -> list[dict[str, dict[str, int]]] | None:
    """Per trained fold, ``{part: {"n", "pos", "neg"}}`` from ``split_pairs.npz`` (None when absent
    or unreadable). Read with ``numpy.load(allow_pickle=False)``."""
    path = Path(folder) / SPLITS_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            folds: dict[int, dict[str, dict[str, int]]] = {}
            for key in z.files:
                if not key.startswith("fold") or "_" not in key:
                    continue
                idx, part = key[4:].split("_", 1)
                if part not in SPLIT_PARTS or not idx.isdigit():
                    continue
                arr = z[key]
                labels = arr[:, 2] if arr.ndim == 2 and arr.shape[1] >= 3 else np.zeros(0)
                pos = int((labels == 1).sum())
                folds.setdefault(int(idx), {})[part] = {
                    "n": int(arr.shape[0]),
                    "pos": pos,
                    "neg": int(arr.shape[0]) - pos,
                }
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None
    if not folds:
        return None
    n = max(folds) + 1 if n_folds is None else n_folds
    return [folds.get(k, {}) for k in range(n)]


# ----------------------------------------------------------------------
# sections


def _summary(m: Mapping[str, Any]) -> list[str]:
    strategy = str(m.get("strategy") or "")
    size = m.get("size_bytes")
    rows = [
        ("context", _txt(m.get("name"))),
        ("cancer (labels)", _txt(m.get("cancer"))),
        ("description", _txt(m.get("description"))),
        ("selected strategy", strategy.upper() if strategy else NOT_RECORDED),
        ("cross-validation scenario", _txt(m.get("cv"))),
        (
            "folds in the score",
            f"{_txt(m.get('folds_shipped'))} shipped of {_txt(m.get('folds_trained'))} trained",
        ),
        ("genes in the universe", _int(m.get("n_genes"))),
        ("omics used", _omics_list(m.get("omics"))),
        ("knowledge graph", _txt(_get(m, "kg", "id"))),
        ("created", _txt(m.get("created"))),
        ("app version that wrote it", _txt(m.get("app_version"))),
        ("bundle format", _txt(m.get("format_version"))),
        ("size", f"{float(size) / 1e6:.1f} MB" if isinstance(size, (int, float)) else NOT_RECORDED),
    ]
    return _table(["item", "value"], [[a, b] for a, b in rows])


def _ranks(m: Mapping[str, Any]) -> list[str]:
    """The calibration section (issue 12): what a raw score of this model means."""
    c = m.get("calibration")
    if not isinstance(c, Mapping):
        return [
            "This bundle has no rank map: its raw scores are on this model's own scale and cannot be compared "
            "with other contexts. Rebuild it with a current version of the app to add one."
        ]
    err = c.get("rank_error") or {}
    ap = c.get("all_pairs") or {}
    out = [
        f"Every unordered pair of the {_int(m.get('n_genes'))}-gene universe ({_int(c.get('n_pairs'))} pairs) was "
        "scored with this bundle's models when it was built. The app shows each score with its **genome-wide "
        "rank** in this context (percentile, 'top x %'): the heatmap colours, the partner ranking across cancers "
        "and `n_high` use it, because raw scores of different contexts are on different scales.",
        "",
        f"- Raw score of all pairs here: median {_num(ap.get('median'))}, 99th percentile {_num(ap.get('p99'))}, "
        f"share above 0.5: {_num(100 * _as_float(ap.get('share_above_0.5')), 1)} %.",
        f"- Rank map: {_int(c.get('grid_points'))} stored points; largest error against the exact rank, measured on "
        f"{_int(err.get('sample'))} scores: {_num(err.get('max_top_1pct'), 5)} percentile points in the top 1 %, "
        f"{_num(err.get('max_rest'), 3)} elsewhere.",
        f"- **Held-out recall**: the share of this context's known SL pairs that the models did not train on "
        f"that score at least as high ({_int(c.get('heldout_n'))} pairs: {c.get('heldout_source', '')}; their median "
        f"score is {_num(c.get('heldout_median'))}). It is not a probability that a pair is SL: known SL pairs are "
        "a biased sample of well-studied genes, and each held-out score comes from one fold model while a query's "
        "score averages all of them.",
    ]
    dc = m.get("dtype_check")
    if isinstance(dc, Mapping) and m.get("dtype") == "int8-lowrank":
        out.append(
            f"- Storage: the UMT terms are stored as int8 on {_int(dc.get('rank'))} singular directions per "
            f"fold; over {_int(dc.get('pairs'))} random pairs this changes scores by at most "
            f"{_num(dc.get('max_abs_diff'), 5)} (mean {_num(dc.get('mean_abs_diff'), 6)}) against float32."
        )
    return out


def _omics_list(omics: Any) -> str:
    if not omics:
        return NOT_RECORDED
    return ", ".join(f"{k} ({OMICS_NAMES.get(k, k)})" for k in omics)


def _scoring(m: Mapping[str, Any]) -> list[str]:
    strategy = str(m.get("strategy") or "")
    return [
        f"- Model: SynLeaF ({PAPER_ID}): per-gene omics vectors fused by a matrix of VAE encoders with a "
        "product of experts, a relational GCN over a gene knowledge graph, and two-stage training "
        "(single-modality teachers first, then UMT distillation or the UME ensemble).",
        f"- Strategy used for the score: {STRATEGY_NAMES.get(strategy, _txt(strategy))}.",
        f"- Pair order: {_txt(m.get('pair_order'))}.",
        f"- Fold models: {_txt(m.get('fold_aggregation'))}.",
        "- The bundle holds per-gene terms computed in evaluation mode (no omics tables, no graph): a "
        "score is a lookup plus a small head, computed with numpy.",
        f"- Storage type of the large per-gene matrices: {_txt(m.get('dtype'))}"
        + (
            f" (largest score change from float16 rounding over {_txt(_get(m, 'dtype_check', 'pairs'))} sampled "
            f"pairs: {_num(_get(m, 'dtype_check', 'max_abs_diff'), 6)})"
            if _get(m, "dtype_check")
            else ""
        )
        + ".",
    ]


def _data(m: Mapping[str, Any], counts: list[dict[str, dict[str, int]]] | None) -> list[str]:
    out: list[str] = []
    samples = m.get("samples")
    sc = _sub(m, "sample_counts")
    out.append(
        f"- Samples (union over the omics tables): {_int(samples) if samples is not None else NOT_RECORDED}."
    )
    if sc:
        out.append(
            "- Samples per omics table: " + ", ".join(f"{k} {_int(v)}" for k, v in sc.items()) + "."
        )
    else:
        out.append(f"- Samples per omics table: {NOT_RECORDED}.")
    lab = _sub(m, "labels")
    if lab.get("positives") is None and lab.get("negatives") is None:
        out.append(f"- Labelled pairs: {NOT_RECORDED}; label files: {_txt(lab.get('source'))}.")
    else:
        out.append(
            f"- Labelled pairs before balancing: {_int(lab.get('positives'))} SL (positive), "
            f"{_int(lab.get('negatives'))} non-SL (negative); label files: {_txt(lab.get('source'))}."
        )
    kg = _sub(m, "kg")
    kg_bits = [f"id {_txt(kg.get('id'))}"]
    for key, word in (
        ("entities", "entities"),
        ("relations", "relation types"),
        ("edges", "edges"),
    ):
        if kg.get(key) is not None:
            kg_bits.append(f"{_int(kg.get(key))} {word}")
    if kg.get("version") is not None:
        kg_bits.append(f"version {_txt(kg.get('version'))}")
    if kg.get("pathway_policy") is not None:
        kg_bits.append(f"cancer pathway policy {_txt(kg.get('pathway_policy'))}")
    out.append("- Knowledge graph: " + ", ".join(kg_bits) + ".")
    out.append("")
    out.append("Pairs per fold after balancing (from `split_pairs.npz`):")
    out.append("")
    if counts:
        ids = _fold_ids(m, len(counts))
        rows = []
        for k, parts in enumerate(counts):
            cells = [str(ids[k])]
            for part in SPLIT_PARTS:
                p = parts.get(part)
                cells.append(f"{p['n']:,} ({p['pos']:,} / {p['neg']:,})" if p else "–")
            rows.append(cells)
        out += _table(
            ["fold", "train (SL / non-SL)", "validation", "test"], rows, ["l", "r", "r", "r"]
        )
    else:
        out.append(f"{NOT_RECORDED} (the bundle ships no split pairs).")
    out.append("")
    out.append("Input files (sha256, first 16 hex digits):")
    out.append("")
    checks = _sub(m, "data_checksums")
    if checks:
        out += _table(
            ["file", "sha256"], [[f"`{_txt(k)}`", f"`{str(v)[:16]}`"] for k, v in checks.items()]
        )
    else:
        out.append(f"{NOT_RECORDED}.")
    return out


def _paper_gaps(m: Mapping[str, Any]) -> list[str]:
    """What this model's data lacks compared with the paper's, from the manifest alone."""
    name = str(m.get("name") or "")
    is_pan = name.lower() == "pan" or str(m.get("cancer") or "").lower() == "pan"
    paper = PAPER_OMICS_PAN if is_pan else PAPER_OMICS_SINGLE
    omics = [str(k) for k in (m.get("omics") or [])]
    files = " ".join(str(k) for k in (m.get("data_checksums") or {})).lower()
    kg = _sub(m, "kg")
    out = []
    which = "pan-cancer" if is_pan else "single-cancer"
    out.append(
        f"- The paper's {which} models used {len(paper)} omics types ({', '.join(paper)}): "
        "mutation (MAF), gene-level copy number, RNA-seq expression z-scores"
        + ("" if is_pan else " and DNA methylation (HM450; HM27 for OV)")
        + f". This model used {len(omics) if omics else NOT_RECORDED}: {', '.join(omics) or NOT_RECORDED}."
    )
    missing = [k for k in paper if k not in omics]
    if omics and missing:
        out.append(
            "- Not available for this model: "
            + ", ".join(f"{k} ({OMICS_NAMES.get(k, k)})" for k in missing)
            + ". The project's data set has no RNA-seq expression or z-scores for any cancer (Agilent "
            "microarray values only, for KIRC (72 samples) and LUAD (32)) and no DNA methylation at all."
        )
    if omics and "mut" in missing:
        out.append(
            "- No mutation data: the data set has no mutation calls (MAF or matrix) for this cancer."
        )
    if "exp" in omics:
        if "microarray" in files:
            out.append(
                "- Expression is Agilent G4502A microarray (TCGA Level 3 log2 ratios), not the paper's "
                "RNA-seq z-scores, and covers few samples (see the sample counts above)."
            )
        else:
            out.append(
                "- Expression source: "
                + (NOT_RECORDED if not files else "see the input files above")
                + "."
            )
    if "cna" in omics and ".seg" in files:
        out.append(
            "- Copy number is derived from segment files (length-weighted mean of segment log2 ratios "
            "over each gene), not cBioPortal's gene-level linear CNA table used by the paper."
        )
    if "mut" in omics and "mutation_matrix" in files:
        out.append(
            "- Mutation is a 0/1 gene-level matrix (RTCGA PANCAN12) because the data set has no MAF for "
            "this cancer."
        )
    if is_pan and "synlethdb" in files:
        out.append(
            "- Pan-cancer negatives are SynLethDB 2.0 non-SL pairs only: the synthetic-rescue table "
            "(Human_SR) the paper added to the negatives was not available. The pan cohort is the RTCGA "
            "2016 mutation calls of 23 TCGA cohorts, not PCAWG."
        )
    kg_id = str(kg.get("id") or "")
    if kg_id.startswith("go-kegg"):
        out.append(
            "- Knowledge graph: Gene Ontology annotations and DAG plus KEGG pathways (org.Hs.eg.db / GO.db "
            "3.16.0; KEGG data of 2011), entity types Gene, BP, MF, CC, Pathway, instead of the paper's "
            "SLKG 2.0 (37,341 entities of 11 types, 27 relation types, 1.4 million edges), which cannot "
            "be redistributed."
        )
    elif kg_id:
        out.append(f"- Knowledge graph: `{_txt(kg_id)}` (the paper used SLKG 2.0).")
    else:
        out.append(f"- Knowledge graph: {NOT_RECORDED} (the paper used SLKG 2.0).")
    if "rtcga" in files or "omics/" in files:
        out.append(
            "- Omics come from the TCGA Firehose 2016 runs packaged by RTCGA (Bioconductor), not the "
            "cBioPortal studies the paper used; cohort sizes differ."
        )
    return out


def _fold_ids(m: Mapping[str, Any], n: int) -> list[Any]:
    ids = m.get("fold_ids")
    if isinstance(ids, (list, tuple)) and len(ids) >= n:
        return list(ids)[:n]
    return (
        [k + 1 for k in range(n)]
        if not isinstance(ids, (list, tuple))
        else list(ids) + [f"#{k + 1}" for k in range(len(ids), n)]
    )


def _metric_groups(cols: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Split metric names into (title, columns) groups: validation, test (stored order), test
    (both orders), other."""
    groups: dict[str, list[str]] = {}
    for c in cols:
        if c.startswith("val_"):
            g = "Validation"
        elif c.startswith("test_") and c.endswith("_both_orders"):
            g = "Test, both gene orders averaged (as the app scores)"
        elif c.startswith("test_"):
            g = "Test, pairs in their stored order (the paper's protocol)"
        else:
            g = "Other"
        groups.setdefault(g, []).append(c)
    order = [
        "Validation",
        "Test, pairs in their stored order (the paper's protocol)",
        "Test, both gene orders averaged (as the app scores)",
        "Other",
    ]
    return [(g, groups[g]) for g in order if g in groups]


def _metric_tables(m: Mapping[str, Any]) -> list[str]:
    metrics = _metrics(m)
    strategy = str(m.get("strategy") or "")
    out: list[str] = []
    per = metrics.get(strategy)
    if not per:
        return [f"Per-fold metrics of the selected strategy: {NOT_RECORDED}."]
    cols = _ordered(
        [k for k, v in per.items() if any(np.isfinite(_as_float(x)) for x in v)], METRIC_ORDER
    )
    n = max(len(v) for v in per.values())
    ids = _fold_ids(m, n)
    shipped = m.get("folds_shipped")
    out.append(
        f"Selected strategy **{strategy.upper()}**, one row per trained fold, each fold model at its "
        "best validation-AUC epoch. `shipped` = the fold model is in this bundle's score."
    )
    for title, group in _metric_groups(cols):
        out += ["", f"**{title}**", ""]
        rows = []
        for k in range(n):
            ship = "–" if not isinstance(shipped, int) else ("yes" if k < shipped else "no")
            rows.append(
                [str(ids[k]), ship] + [_num(per[c][k]) if k < len(per[c]) else "–" for c in group]
            )
        stats = [_mean_sd(per[c]) for c in group]
        rows.append(["mean", ""] + [_num(mu) for mu, _, _ in stats])
        rows.append(["sd", ""] + [_num(sd) for _, sd, _ in stats])
        out += _table(["fold", "shipped", *group], rows, ["l", "l"] + ["r"] * len(group))
    out.append("")
    out.append(
        "`sd` is the population standard deviation over folds (the paper's convention). `f1_best` "
        "picks its threshold on the set it is reported on, so it is optimistic; `f1_at_0.5` uses 0.5."
    )
    others = _ordered(metrics, STRATEGY_ORDER)
    if len(others) > 1:
        out.append("")
        out.append("All strategies trained on the same folds (fold mean ± sd):")
        out.append("")
        cmp_cols = [
            c
            for c in ("val_auc", "test_auc", "test_aupr", "test_auc_both_orders")
            if any(c in metrics[s] for s in others)
        ]
        rows = []
        for s in others:
            cells = [s + (" (selected)" if s == strategy else "")]
            for c in cmp_cols:
                mu, sd, k = _mean_sd(metrics[s].get(c, []))
                cells.append(f"{_num(mu)} ± {_num(sd)}" if k else "–")
            rows.append(cells)
        out += _table(["strategy", *cmp_cols], rows, ["l"] + ["r"] * len(cmp_cols))
    return out


def _selection(m: Mapping[str, Any]) -> list[str]:
    strategy = str(m.get("strategy") or "")
    sel = _sub(m, "selection")
    out = [
        f"- Selected: **{strategy.upper() or NOT_RECORDED}**.",
        f"- Rule: {_txt(sel.get('rule'))}.",
    ]
    va = sel.get("val_auc") if isinstance(sel.get("val_auc"), Mapping) else None
    if va is None:  # fall back on the per-fold metrics
        metrics = _metrics(m)
        va = {
            s: _mean_sd(metrics[s]["val_auc"])[0]
            for s in ("umt", "ume")
            if "val_auc" in metrics.get(s, {})
        }
        src = "fold means of the validation AUCs in the metrics table"
    else:
        src = "as recorded at selection"
    if va:
        parts = [f"{s.upper()} {_num(v)}" for s, v in va.items()]
        out.append(f"- Mean validation AUC ({src}): " + ", ".join(parts) + ".")
        umt, ume = _as_float(va.get("umt")), _as_float(va.get("ume"))
        if math.isfinite(umt) and math.isfinite(ume):
            rule_pick = "umt" if umt > ume else "ume"
            if sel.get("forced"):
                out.append(
                    f"- The strategy was set by hand when the bundle was built (the rule would pick "
                    f"{rule_pick.upper()})."
                )
            elif rule_pick == strategy:
                out.append(
                    f"- Why: {rule_pick.upper()} has the higher mean validation AUC"
                    + (" (a tie goes to UME)" if umt == ume else "")
                    + f"; difference {_num(abs(umt - ume))}."
                )
            else:
                out.append(
                    f"- Note: the rule would pick {rule_pick.upper()} from these numbers; the bundle "
                    f"uses {strategy.upper()}."
                )
    else:
        out.append(f"- Validation AUCs behind the choice: {NOT_RECORDED}.")
    if sel.get("forced") and not va:
        out.append("- The strategy was set by hand when the bundle was built.")
    out.append(
        "- Selection uses validation folds only; the test metrics above played no part in it."
    )
    return out


def _pair_aware(m: Mapping[str, Any]) -> list[str]:
    """The pair-aware section (issue 13, part 4): only for bundles whose manifest has ``pair_aware``."""
    pa = m.get("pair_aware")
    if not isinstance(pa, Mapping):
        return []
    chosen = bool(pa.get("chosen"))
    figures = pa.get("figures")
    f: Mapping[str, Any] = figures if isinstance(figures, Mapping) else {}
    out = [
        "",
        "## Pair-aware score",
        "",
        f"- Chosen default score for this context: **{'pair-aware' if chosen else str(m.get('strategy') or '').upper()}**"
        + (
            f" (stacker `{_txt(pa.get('file'))}`, variant `{_txt(pa.get('variant'))}`)."
            if chosen
            else (
                f" (the pair-aware variant `{_txt(pa.get('variant'))}` was fitted and did not meet the rule)."
                if pa.get("variant")
                else "."
            )
        ),
        "- Pair-aware: per fold, a logistic model of pair evidence only (cohort co-inactivation, shared "
        "annotation terms; no gene-degree feature) fitted on the fold's training pairs, stacked with the fold "
        "score by a logistic regression fitted on the fold's validation pairs; the score is the mean over folds.",
        f"- Rule: {_txt(pa.get('rule'))}.",
    ]
    if pa.get("reason"):
        return [*out, f"- {_txt(pa.get('reason'))}."]
    n = pa.get("folds") if isinstance(pa.get("folds"), int) else 5
    rows = [
        (
            "validation AUC (selected: as trained; pair-aware: out-of-fold)",
            "val_auc_selected",
            "val_auc_pair_aware",
        ),
        ("CV2 test AUC", "test_auc_selected", "test_auc_pair_aware"),
        ("CV2 test AUPR", "test_aupr_selected", "test_aupr_pair_aware"),
        ("re-paired-control AUC", "repaired_auc_selected", "repaired_auc_pair_aware"),
    ]
    out += ["", f"| mean of {n} folds | selected strategy | pair-aware |", "|---|---|---|"]
    for label, a, b in rows:
        out.append(f"| {label} | {_num(f.get(a))} | {_num(f.get(b))} |")
    if f.get("fold_wins_test_auc") is not None:
        out.append("")
        out.append(
            f"- Folds where pair-aware has the higher test AUC: {_txt(f.get('fold_wins_test_auc'))} of {n}."
        )
    if chosen:
        cal = m.get("calibration")
        kind = cal.get("score_kind") if isinstance(cal, Mapping) else None
        note = (
            "the rank map, held-out recall and typical ranks (`calibration.npz`) are computed "
            "from the pair-aware score, which is the score shown, ranked and exported"
            if kind == "pair-aware"
            else _txt(pa.get("ranks_note"))
        )
        out.append(f"- Genome-wide ranks: {note}.")
    return out


def _folds(m: Mapping[str, Any]) -> list[str]:
    trained, shipped = m.get("folds_trained"), m.get("folds_shipped")
    ids = m.get("fold_ids")
    out = [
        f"- Trained: {_txt(trained)} fold models ({_txt(m.get('cv'))}, fold ids {_txt(ids)}).",
        f"- Shipped and averaged in the score: {_txt(shipped)}.",
        f"- Why: {_txt(m.get('folds_shipped_reason'))}.",
    ]
    if isinstance(trained, int) and isinstance(shipped, int) and shipped < trained:
        out.append(
            "- The per-modality scores (omics and KG teachers) use all trained folds; the "
            f"{str(m.get('strategy', '')).upper()} score uses the shipped folds only."
        )
    return out


def _training(m: Mapping[str, Any]) -> list[str]:
    tr = _sub(m, "training")
    out = [f"- Device: {_txt(tr.get('device'))}."]
    for key, word in (
        ("epochs_run", "epochs run per fold"),
        ("best_epoch", "best epoch per fold"),
        ("wall_s", "training time per fold (s)"),
    ):
        v = tr.get(key)
        if isinstance(v, (list, tuple)) and v:
            out.append(f"- {word.capitalize()}: " + "; ".join(_per_fold(x) for x in v) + ".")
        else:
            out.append(f"- {word.capitalize()}: {_txt(v)}.")
    cfg = tr.get("config")
    if isinstance(cfg, Mapping) and cfg:
        out.append(
            "- Settings: "
            + ", ".join(
                f"{k}={'the context seed (see Seeds)' if k == 'seed' and v is None else _txt(v)}"
                for k, v in cfg.items()
            )
            + "."
        )
    else:
        out.append(f"- Settings: {NOT_RECORDED}.")
    seed = m.get("seed")
    if isinstance(seed, Mapping):
        out.append("- Seeds: " + ", ".join(f"{k} {_txt(v)}" for k, v in seed.items()) + ".")
    else:
        out.append(f"- Seed: {_txt(seed)}.")
    pk = _sub(m, "packages")
    out.append(
        "- Software: "
        + (", ".join(f"{k} {v}" for k, v in pk.items()) if pk else NOT_RECORDED)
        + "."
    )
    return out


def _per_fold(x: Any) -> str:
    """One fold's value: a number, or ``{stage: value}`` as "stage value, ..."."""
    if isinstance(x, Mapping):
        return ", ".join(f"{k} {_per_fold(v)}" for k, v in x.items()) or NOT_RECORDED
    if isinstance(x, float):
        return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2f}"
    return _txt(x)


def _use_and_limits(m: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    use = [
        "- Ranking candidate synthetic-lethal partners of a gene, and comparing a pair across cancers, to "
        "choose follow-up experiments (CRISPR or drug screens).",
        "- Research use only; not for diagnosis or treatment decisions.",
    ]
    limits = [
        "- **Predictions are hypotheses, not findings.** A high score says the pair resembles the known SL "
        "pairs this model was trained on; it is not evidence that the pair is synthetic lethal.",
        "- **Scores are not calibrated probabilities.** Training used 1:1 balanced positives and negatives, "
        "far from the true rarity of SL pairs; compare scores within a context, and read them next to the "
        "validation metrics and the fold spread (`sd`).",
        "- **Pair order.** The SynLeaF heads are order-dependent: p(A, B) differs from p(B, A). The app "
        "averages both orders; the paper's test metrics (`test_auc`) use the stored order, "
        "`test_auc_both_orders` the app's averaging.",
        f"- **Gene universe.** Only the {_int(m.get('n_genes'))} genes of this context's universe (genes in the "
        "omics tables, the knowledge graph and UniProt at once) can be scored; other genes get no score "
        '("not in this context"), never a guess.',
        "- **Annotation shortcut.** Negatives are mostly random gene pairs, while SL genes are well studied "
        'and richly annotated, so "both genes are well annotated" alone separates the classes. Part of the '
        "reported AUC likely reflects this; expect lower precision for poorly studied genes, and treat the "
        "metrics as an upper bound for new biology. A plain logistic regression on GO/KEGG annotation "
        "profiles already reached AUC 0.64-0.97 depending on the cancer, on one random split each (project design notes, §6).",
        "- **Known pairs.** Pairs in this model's training split score high by construction; the app flags "
        "them (`training` = yes) when the bundle ships its split pairs.",
        '- **Data differences.** See "What differs from the paper": missing omics, a different knowledge '
        "graph and smaller cohorts mean these models are not the paper's models, and their numbers are not "
        "the paper's numbers.",
    ]
    if m.get("synthetic"):
        limits.insert(
            0,
            "- **This is a synthetic test model**: random weights and invented metrics; its scores "
            "mean nothing biologically.",
        )
    return use, limits


def _cite(m: Mapping[str, Any]) -> list[str]:
    return [
        f"- The method: *{PAPER_TITLE}*, {PAPER_ID}.",
        f"- The software: SynLeaF Desktop {_txt(m.get('app_version')) if m.get('app_version') else __version__} "
        "(this model's bundle; give the context name and the `created` date above).",
        "- The data behind the built-in models: ELISL SL labels (single cancers) and SynLethDB 2.0 (pan-cancer); "
        "TCGA data via the RTCGA Bioconductor packages (RTCGA.mutations/CNV/mRNA.20160128, RTCGA.PANCAN12); "
        "gene annotation and the knowledge graph from org.Hs.eg.db and GO.db 3.16.0 (Bioconductor); gene "
        "coordinates from TCGAbiolinksGUI.data. Cite these sources as their authors ask.",
    ]


# ----------------------------------------------------------------------


def render_model_card(
    manifest: Mapping[str, Any], pair_counts: list[dict[str, dict[str, int]]] | None = None
) -> str:
    """The card's Markdown text from a manifest dict (and optional per-fold pair counts, see
    :func:`split_pair_counts`). Missing manifest keys print "not recorded"."""
    m = manifest if isinstance(manifest, Mapping) else {}
    name = _txt(m.get("name"))
    use, limits = _use_and_limits(m)
    lines: list[str] = [f"# Model card: {name}", ""]
    lines.append(
        f"> SynLeaF model for the `{name}` context (cancer: {_txt(m.get('cancer'))}). Predictions are "
        "hypotheses for follow-up experiments, not findings; scores are model outputs in [0, 1], "
        "**not calibrated probabilities**."
    )
    if m.get("synthetic"):
        lines += [
            "",
            "> **Synthetic test model**: its weights are random and its metrics invented.",
        ]
    lines += ["", "## Summary", "", *_summary(m)]
    lines += ["", "## How a score is computed", "", *_scoring(m)]
    lines += [
        "",
        "## What a score means here: genome-wide rank and held-out recall",
        "",
        *_ranks(m),
    ]
    lines += ["", "## Training data", "", *_data(m, pair_counts)]
    lines += ["", "### What differs from the paper", "", *_paper_gaps(m)]
    lines += ["", "## Validation and test metrics", "", *_metric_tables(m)]
    lines += ["", "## Strategy selection", "", *_selection(m), *_pair_aware(m)]
    lines += ["", "## Shipped and trained folds", "", *_folds(m)]
    lines += ["", "## Training", "", *_training(m)]
    lines += ["", "## Intended use", "", *use]
    lines += ["", "## Limitations", "", *limits]
    lines += ["", "## How to cite", "", *_cite(m)]
    lines += [
        "",
        f"_Generated by SynLeaF Desktop {__version__} from `{MANIFEST}`; "
        f"{NOT_RECORDED!r} marks information the manifest does not hold._",
        "",
    ]
    return "\n".join(lines)


def write_model_card(bundle_folder: str | Path) -> Path:
    """Write ``<bundle_folder>/MODEL_CARD.md`` from its ``manifest.json`` (atomically).

    Args:
        bundle_folder: a bundle folder (holding ``manifest.json``; ``split_pairs.npz`` is used
            for pair counts when present).

    Returns:
        the path of the card.

    Raises:
        BundleError: the folder has no readable manifest.
    """
    from .format import BundleError

    folder = Path(bundle_folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BundleError(
            path, "missing: a model card is generated from the bundle's manifest.json"
        )
    try:
        manifest = read_json(path)
    except (OSError, ValueError) as exc:
        raise BundleError(path, f"not a valid JSON manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise BundleError(path, "not a valid manifest (expected a JSON object)")
    trained = manifest.get("folds_trained")
    counts = split_pair_counts(folder, trained if isinstance(trained, int) else None)
    text = render_model_card(manifest, counts)
    out = folder / CARD_FILE
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out


__all__ = ["CARD_FILE", "render_model_card", "split_pair_counts", "write_model_card"]
