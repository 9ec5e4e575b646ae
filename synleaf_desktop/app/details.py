"""What the app says about one (pair, context) cell and about a context's model, as plain data
and text (no Qt): :class:`CellDetails`, the sentences of the details panel, and the metric
helpers that read a context's quality from its info dict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .grid import describe_rank


@dataclass
class CellDetails:
    """Everything the details panel shows about one (pair, context) cell.

    Attributes:
        gene_a, gene_b: resolved symbols, in the order the user gave them.
        context: context name.
        in_context: False if a gene is outside the context (then no score).
        missing: genes outside the context.
        score: mean of both orders and all folds, or None.
        sd: standard deviation over folds, or None.
        folds: per-fold scores (each the mean of both orders).
        by_order: ``(p(a, b), p(b, a))`` or None.
        modality: ``{"omics": p, "kg": p}`` (unimodal teachers' scores) or empty.
        known_label: 1, 0 or None (unknown).
        in_training: True/False if the pair was in the context's training labels; None if unknown.
        info: the context's :meth:`ScoringEngine.context_info` dict.
        label_source: where ``known_label`` comes from: "labels" (the user's label tables),
            "model" (the model's own training data) or None.
        evidence: lines from the shipped known-pairs table (label, source, PubMed ID, cell line).
        labelled_negative: True if the known-pairs table lists the pair as non-SL for this
            context; None when the table is not available.
        cohort: the pair's co-inactivation in the context's tumours (``ContextScore.evidence``:
            counts, ``expected``, ``p_depletion``, ``sentence``; or ``no_evidence`` with a
            ``sentence``); None without cohort data.
        profiles: ``{gene: cBioPortal-style profile}`` (``ContextScore.profiles``) or None.
        has_cohort: whether the context's model carries cohort data at all.
        shared_terms: annotations both genes share (``PairResult.shared_terms``) or None.
        gene_names: ``{symbol: full name}``; entrez: ``{symbol: Entrez ID}`` where known.
    """

    gene_a: str
    gene_b: str
    context: str
    in_context: bool = True
    missing: list[str] = field(default_factory=list)
    score: float | None = None
    sd: float | None = None
    folds: list[float] = field(default_factory=list)
    by_order: tuple[float, float] | None = None
    modality: dict[str, float] = field(default_factory=dict)
    known_label: int | None = None
    in_training: bool | None = None
    info: dict[str, Any] = field(default_factory=dict)
    label_source: str | None = None
    evidence: list[str] = field(default_factory=list)
    labelled_negative: bool | None = None
    #: genome-wide rank of the score in its context (None without a rank map)
    percentile: float | None = None
    top_fraction: float | None = None
    #: share of the context's held-out known SL pairs scoring at least as high (not a probability)
    heldout_recall: float | None = None
    #: held-out known SL pairs and universe pairs behind those numbers (None without a rank map)
    n_heldout: int | None = None
    n_universe_pairs: int | None = None
    cohort: dict[str, Any] | None = None
    profiles: dict[str, Any] | None = None
    has_cohort: bool = False
    shared_terms: dict[str, Any] | None = None
    #: what ``score`` is: "synleaf" or "pair-aware" (issue 13: where the context's model chose it)
    score_kind: str = "synleaf"
    #: with a pair-aware score: the fold models' own score before pair evidence, else None
    synleaf_score: float | None = None
    gene_names: dict[str, str] = field(default_factory=dict)
    entrez: dict[str, int] = field(default_factory=dict)


#: tooltip of the "Tumours (cohort)" rows
COHORT_NOTE = (
    "Co-inactivation in this context's tumours: how many tumours lose each gene (a damaging "
    "mutation or a deep deletion, as the model card says), how many lose both, and how many would "
    "lose both by chance (n_a x n_b / tumours). p is a one-sided hypergeometric test for depletion "
    "(Fisher's exact test: fewer tumours with both lost than chance). SL pairs are rarely lost "
    "together (ISLE/DAISY idea); weak evidence on its own: on these cohorts it barely separates known "
    "SL pairs from the same genes paired differently. Context, not a verdict."
)
#: profile columns in the order shown, with their words
PROFILE_WORDS = (
    ("mutated", "mutated"),
    ("deep_deletion", "deep deletion"),
    ("amplification", "amplified"),
)
#: shared annotations listed in the details panel
SHARED_SHOWN = 5
TERM_TYPES = {"BP": "GO BP", "Pathway": "KEGG"}


def _pct(x: float) -> str:
    return f"{x:.1f}\u00a0%" if x < 10 else f"{x:.0f}\u00a0%"


def breakable(text: str) -> str:
    """Lists joined by ";" or "," (PubMed IDs, cell lines) with a space after each separator, so
    that a narrow panel can wrap them."""
    return re.sub(r"([;,])(?=\S)", r"\1 ", str(text))


def gene_names_text(d: CellDetails) -> str:
    """One line per gene: "BRCA1: BRCA1 DNA repair associated (Entrez 672)"."""
    lines = []
    for g in dict.fromkeys((d.gene_a, d.gene_b)):
        name = d.gene_names.get(g)
        e = d.entrez.get(g)
        lines.append(
            f"{g}: {name or 'no full name in the shipped gene table'}"
            + (f" (Entrez {e})" if e else "")
        )
    return "\n".join(lines)


def cohort_text(d: CellDetails) -> str:
    """The co-inactivation line of the "Tumours (cohort)" section."""
    if d.cohort is None:
        if d.has_cohort and (not d.in_context or d.score is None):
            return "– (the pair is not scored in this context)"
        return "no cohort data in this model"
    sentence = str(d.cohort.get("sentence") or "").strip()
    if not sentence:
        return "no co-inactivation evidence in this cohort"
    n = d.cohort.get("n_samples")
    return sentence + (f" (of {int(n):,} tumours)" if n and not d.cohort.get("no_evidence") else "")


def profile_text(gene: str, prof: dict[str, Any] | None) -> str:
    """cBioPortal style: "BRCA1: mutated 3.1 % of 223 tumours · deep deletion 0.8 % · amplified
    1.2 % of 619 tumours (profiled by mutation, copy number)"; a denominator is said once for the
    columns that share it."""
    if not prof:
        return f"{gene}: not in this cohort's data"
    by = list(prof.get("profiled_by") or [])
    if not by:
        return f"{gene}: not profiled in this cohort"
    need = {"mutated": "mutation", "deep_deletion": "copy number", "amplification": "copy number"}
    groups: list[tuple[int, list[str]]] = []
    for key, word in PROFILE_WORDS:
        col = prof.get(key)
        if (
            not isinstance(col, dict)
            or need[key] not in by
            or not col.get("of")
            or col.get("pct") is None
        ):
            continue
        of = int(col["of"])
        part = f"{word} {_pct(float(col['pct']))}"
        if groups and groups[-1][0] == of:
            groups[-1][1].append(part)
        else:
            groups.append((of, [part]))
    if not groups:
        return f"{gene}: no counts in this cohort (profiled by {', '.join(by)})"
    body = " · ".join(" · ".join(parts) + f" of {of:,} tumours" for of, parts in groups)
    return f"{gene}: {body} (profiled by {', '.join(by)})"


def profiles_text(d: CellDetails) -> str:
    if d.profiles is None:
        return "" if not d.has_cohort else "–"  # without cohort data the line above says so
    return "\n".join(
        profile_text(g, d.profiles.get(g)) for g in dict.fromkeys((d.gene_a, d.gene_b))
    )


def shared_text(d: CellDetails, shown: int = SHARED_SHOWN) -> str:
    """The "Why (shared annotations)" line: the most specific shared terms, "name (type, n genes)",
    then "and N more"."""
    st = d.shared_terms
    if st is None:
        return "not available (no annotation index shipped)"
    terms = list(st.get("terms") or [])
    n = int(st.get("n_shared") or len(terms))
    if not terms or n == 0:
        return "none shared in the shipped GO BP / KEGG graph"
    lines = []
    for t in terms[:shown]:
        kind = TERM_TYPES.get(str(t.get("type")), str(t.get("type") or ""))
        name = str(t.get("name") or "").strip() or str(t.get("id"))
        lines.append(f"{name} ({kind}, {int(t.get('n_genes') or 0):,} genes)")
    if n > len(lines):
        lines.append(f"and {n - len(lines):,} more")
    edges = st.get("edges") or []
    if edges:
        lines.append("direct graph edges: " + ", ".join(map(str, edges)))
    return "\n".join(lines)


def rank_text(d: CellDetails) -> str:
    """The "Genome-wide rank" line: "top 0.3 % of all 167,545,665 pairs of BRCA (percentile 99.7)"."""
    if d.top_fraction is None or d.top_fraction != d.top_fraction:
        if not d.in_context or d.score is None:
            return "–"
        return "none: this model has no rank map (raw score only)"

    text = describe_rank(d.top_fraction, d.percentile)
    n = f"all {d.n_universe_pairs:,}" if d.n_universe_pairs else "all"
    return f"{text} of {n} pairs of {d.context}"


def recall_text(d: CellDetails) -> str:
    """The "Held-out recall" line, with its one-line meaning."""
    if d.heldout_recall is None or d.heldout_recall != d.heldout_recall:
        if d.top_fraction is not None and d.top_fraction == d.top_fraction:
            return "not available: this model ships no held-out known SL pairs"
        return "–"
    n = f"{d.n_heldout:,} " if d.n_heldout else ""
    return (
        f"{100.0 * d.heldout_recall:.0f} % of {n}held-out known SL pairs score this high or higher "
        "(not a probability of SL)"
    )


def known_label_text(d: CellDetails) -> str:
    """The "Known label" line, consistent with "In training labels"."""
    if d.known_label is None:
        if d.in_training is None:
            return "none known (this model ships no training pairs; import a label table to mark known pairs)"
        return "none: not in this model's data or your label tables"
    if d.label_source == "labels":
        return ("SL" if d.known_label == 1 else "non-SL") + " (your label table)"
    if d.known_label == 1:
        return "SL (a labelled SL pair in this model's data)"
    if d.labelled_negative:
        return "non-SL (a labelled non-SL pair in this model's data)"
    if d.labelled_negative is False:
        return (
            "not a known pair: drawn at random as a negative for training (too few labelled "
            "non-SL pairs)"
        )
    return (
        "non-SL in this model's data (a labelled non-SL pair, or a random pair used as a negative)"
    )


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "–" if xf != xf else f"{xf:.{digits}f}"


def metric(info: dict[str, Any], *names: str) -> float | None:
    """Find a headline metric in a context-info dict (``validation``/``test`` sub-dicts or flat)."""
    for name in names:
        cur: Any = info
        ok = True
        for part in name.split("."):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                ok = False
                break
        if ok and isinstance(cur, (int, float)) and not isinstance(cur, bool):
            return float(cur)
    return None


def val_auc(info: dict[str, Any]) -> float | None:
    return metric(
        info,
        "val_auc",
        "validation.auc",
        "metrics.val_auc",
        "validation.roc_auc",
        "headline.val_auc",
    )


def test_auc(info: dict[str, Any]) -> float | None:
    return metric(
        info, "test_auc", "test.auc", "metrics.test_auc", "test.roc_auc", "headline.test_auc"
    )


OMICS_SHORT = {"mut": "mut", "cna": "cna", "exp": "exp", "myl": "meth"}
OMICS_LONG = {"mut": "mutation", "cna": "copy number", "exp": "expression", "myl": "methylation"}


def omics_text(omics: Any, long: bool = False) -> str:
    names = OMICS_LONG if long else OMICS_SHORT
    if not omics:
        return "–"
    if isinstance(omics, dict):
        omics = list(omics)
    return (", " if long else " ").join(names.get(str(o), str(o)) for o in omics)


def info_tooltip(name: str, info: dict[str, Any]) -> str:
    """Multi-line description of a context for its tooltip."""
    lines = [f"{name}: {'your model' if info.get('kind') == 'user' else 'bundled model'}"]
    if info.get("trial"):
        lines.append(
            "trial model: a quick run (one fold, few epochs) to check the data; not ticked by default "
            "and not meant to be compared with the other models"
        )
    if info.get("description"):
        lines.append(str(info["description"]))
    if info.get("strategy"):
        strategy = f"strategy: {info['strategy']}"
        if info.get("score_kind") == "pair-aware":
            t = info.get("synleaf_test_auc")
            strategy += (
                " + pair evidence (pair-aware score: each fold's score stacked with the pair's "
                "co-inactivation and shared annotations"
                + (f"; {str(info['strategy']).upper()} alone: test AUC {t:.3f}" if t else "")
                + ")"
            )
        lines.append(strategy)
    lines.append("omics: " + omics_text(info.get("omics"), long=True))
    samples = info.get("sample_counts") or info.get("samples") or info.get("n_samples")
    if samples:
        if isinstance(samples, dict):
            samples = ", ".join(f"{OMICS_SHORT.get(k, k)} {v}" for k, v in samples.items())
        lines.append(f"samples: {samples}")
    genes = info.get("genes") or info.get("n_genes")
    if genes:
        lines.append(f"genes: {genes if isinstance(genes, int) else len(genes)}")
    folds = info.get("folds") or info.get("n_folds")
    if folds:
        lines.append(f"cross-validation models: {folds if isinstance(folds, int) else len(folds)}")
    lines.append(quality_text(info))
    return "\n".join(lines)


def quality_text(info: dict[str, Any]) -> str:
    """``"test AUC 0.823 (validation AUC 0.807)"``: the test AUC is the model's quality (pairs not
    used for training or for choosing the model); validation only in brackets."""
    v, t = val_auc(info), test_auc(info)
    if t is not None:
        return f"test AUC {t:.3f}" + (f" (validation AUC {v:.3f})" if v is not None else "")
    if v is not None:
        return f"validation AUC {v:.3f} (no test AUC recorded)"
    return "AUC not recorded"


def default_checked(infos: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The contexts ticked when the user has not chosen: all but trial models (quick runs)."""
    return [n for n, info in infos if not info.get("trial")]


def pair_aware_help(infos: dict[str, dict[str, Any]]) -> str:
    """One help sentence naming the loaded contexts whose score is pair-aware ("" if none)."""
    names = [n for n, info in infos.items() if info.get("score_kind") == "pair-aware"]
    if not names:
        return ""
    return (
        f" In {', '.join(names)} each model's score is first combined with the pair's own "
        "evidence (co-inactivation in the tumours, shared annotations): the pair-aware score, "
        "chosen there because it ranked held-out pairs better (see each model card)."
    )


def is_pair_aware(d: CellDetails) -> bool:
    """Whether the cell's score is the pair-aware one."""
    return d.score_kind == "pair-aware"


def synleaf_score_text(d: CellDetails) -> str:
    """The "before pair evidence" line of a pair-aware score ("" for other models)."""
    if not is_pair_aware(d) or d.synleaf_score is None:
        return ""
    pa = d.info.get("pair_aware") or {}
    f = pa.get("figures") or {}
    gain = ""
    if f.get("test_auc_pair_aware") is not None and f.get("test_auc_selected") is not None:
        gain = (
            f": CV2 test AUC {f['test_auc_pair_aware']:.3f} with pair evidence, "
            f"{f['test_auc_selected']:.3f} without"
        )
    return (
        f"{d.synleaf_score:.3f}: the fold models' own score. The score above stacks it with this "
        "pair's co-inactivation in the tumours and its shared annotations (the pair-aware model, "
        f"chosen for {d.context} by the CV2 rule{gain}; see its model card)."
    )
