"""``synleaf score`` and ``synleaf partners``: SL scores from the installed models.

Output formats (an interface: keep them stable)
================================================

Every score is a model output in [0, 1] (not a calibrated probability): for each fold model of a
context, ``(p(A,B) + p(B,A)) / 2`` (the SynLeaF heads are order-dependent, so both gene orders
are scored and averaged); the context score is the mean over the fold models, ``sd`` their
population SD. Gene names may be HGNC symbols, aliases or Entrez IDs, in any case; names that
cannot be resolved are reported, never guessed. A gene outside a context's gene universe gets
no score there ("not in this context"). Context names are matched case-insensitively.

Exit codes (every command): 0 done; 1 a query gene could not be resolved (with "did you mean"
suggestions); 2 any other error (bad input such as a gene paired with itself, no models
installed: the message tells how to build them); 130 cancelled. Trial models (quick runs) are
left out of the default contexts unless ``--include-trial`` (or named in ``--contexts``).

``synleaf score GENE_A GENE_B [--contexts BRCA,OV,...] [--labels FILE ...] [--json]``
    Text (stdout): a title line, a header, one line per context, a note::

        BRCA1 x RAD51
        context  score   sd      n  strategy  val_auc  omics   kg      label  training  folds
        BRCA     0.9928  0.0121  5  umt       0.9431   0.9710  0.9022  1      yes       0.99 0.98 ...
        OV       not in this context: RAD51
        note: ...

    ``n`` = fold models averaged; ``omics``/``kg`` = the same score from each single-modality
    teacher; ``rank`` = genome-wide rank in that context (``top_0.1%``: the pair scores at least as
    high as all but 0.1 % of the universe's pairs), ``percentile`` = 100 x (1 - top fraction),
    ``heldout_recall`` = share of the context's held-out known SL pairs scoring at least as high
    (``-`` for a model without a rank map; not a probability of SL); ``label`` = known label from ``--labels``, else from the model's own cross-validation pairs (``-`` if neither); ``training`` = ``yes`` if the
    pair is in the train split of one of the context's fold models, ``no``, or ``-`` when the model
    ships no split pairs; ``folds`` = per-fold scores.

    JSON (``--json``, stdout): one object::

        {"query": ["brca1", "RAD51"], "genes": ["BRCA1", "RAD51"] | null, "unresolved": [],
         "contexts": {"BRCA": {"score": 0.99 | null, "sd": 0.01 | null, "folds": [...],
                               "by_order": [p_ab, p_ba] | null, "modality": {"omics": x, "kg": y} | {},
                               "in_context": true, "missing": [], "known_label": 1 | 0 | null,
                               "in_training": true | false | null, "strategy": "umt",
                               "percentile": 99.9 | null, "top_fraction": 0.001 | null,
                               "heldout_recall": 0.41 | null,
                               "score_kind": "synleaf" | "pair-aware",
                               "synleaf_score": 0.81 | null,
                               "val_auc": 0.94 | null, "test_auc": 0.93 | null}, ...},
         "version": "0.1.0", "note": "..."}

    ``by_order`` = fold means of p(A,B) and p(B,A); ``missing`` = query genes outside that context;
    ``score_kind`` = what ``score`` is: ``pair-aware`` where the context's model chose the pair-aware
    score (issue 13: each fold's score stacked with the pair's cohort co-inactivation and shared
    annotations; ``by_order`` is then null), else ``synleaf``; ``synleaf_score`` = with a pair-aware
    score, the fold models' own score before pair evidence, else null. Ranks and held-out recall
    always describe ``score``.

``synleaf score --pairs FILE [--out FILE.tsv] [--contexts ...] [--labels FILE ...]``
    Input: CSV or TSV (delimiter sniffed, gzip allowed) with columns ``gene1`` and ``gene2`` (any
    case); other columns are ignored. Output (TSV, atomic; stdout without ``--out``): one row per
    input row, columns ``gene1 gene2 symbol1 symbol2 <ctx>... <ctx>_sd...`` (contexts in display
    order; scores with 6 decimals; empty cell = unresolved or not in that context). With
    ``--labels`` also ``<ctx>_label`` and ``<ctx>_in_training`` columns; then per context
    ``<ctx>_percentile``, ``<ctx>_top_fraction``, ``<ctx>_heldout_recall`` (empty without a rank map). Unresolved names and a
    summary go to stderr.

``synleaf partners GENE [--top N] [--context C] [--contexts ...] [--labels FILE ...] [--json]``
    With ``--context C``: the N best partners in C, text columns
    ``rank partner score sd label training``; JSON ``{"gene", "context", "in_context",
    "partners": [{"partner", "score", "sd", "known_label", "in_training"}], "version", "note"}``.
    Both add ``genome_rank heldout_recall typical_rank above_typical`` text columns (JSON: every
    column of :meth:`ScoringEngine.partners`); ``--order above_typical`` ranks by how far the pair
    ranks above the partner's typical rank with random genes (hub discount).
    Without: a partners x contexts table of N partners, by the one cross-context rule of
    :meth:`ScoringEngine.cross_context` (mean genome-wide percentile; the GUI uses the same), text
    columns ``partner <ctx>... mean max min n_high best specificity mean_pct best_rank
    above_typ``; ``<ctx>``, mean, max, min = raw scores; ``n_high`` = contexts where the pair is in
    the top ``--high-top`` (default 1 %) of that context's pairs (raw score >= ``--high`` for a
    model without a rank map); ``best`` = context with the highest percentile; ``specificity`` =
    best raw score minus the mean of the others. JSON ``{"gene", "contexts", "missing_contexts",
    "high", "high_top", "order", "partners": [{"partner", "scores": {ctx: x | null}, "mean", "max",
    "min", "n_contexts", "n_contexts_high", "best_context", "specificity", "percentiles",
    "top_fractions", "heldout_recall", "above_typicals" (each {ctx: x | null}), "mean_percentile",
    "max_percentile", "best_top_fraction", "mean_above_typical"}], "version", "note"}``.

``synleaf models list [--json]`` / ``models add FOLDER [--name N] [--overwrite]`` /
``models remove NAME`` / ``models show NAME``
    ``list`` text columns: ``name kind strategy val_auc test_auc omics genes folds size_mb``
    (``folds`` = shipped/trained); JSON: a list of objects with ``name, kind, strategy,
    val_auc, test_auc, headline, omics, n_genes, folds_shipped, folds_trained, size_bytes,
    created, cancer, description, folder``. ``show`` prints the manifest (JSON).

``synleaf export genome-wide --context C (--top N | --threshold T | --top-fraction F) --out FILE.tsv``
    Scores every unordered pair of C's universe (~1.6e8 for 18k genes). Progress on stderr.
    Output TSV columns ``gene1 gene2 score sd known_label in_training percentile top_fraction
    heldout_recall`` (see
    :mod:`synleaf_desktop.scoring.genome`): top-N sorted by score; threshold-only in gene order.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..bundle.names import split_names
from ..errors import InputError, SynleafError

RANK_NOTE = (
    "rank = where the score falls among all gene pairs of that context's universe (comparable between "
    "contexts; the raw score is not); percentile = 100 x (1 - top fraction); heldout_recall = share of the "
    "context's known SL pairs that the models did not train on scoring at least as high (not a "
    "probability of SL)."
)


def describe_top(fraction: float | None) -> str:
    from ..scoring.calibration import describe_top as _describe

    return _describe(fraction)


def _note() -> str:
    from ..scoring.engine import PAIR_ORDER_NOTE

    return PAIR_ORDER_NOTE


# ----------------------------------------------------------------------
# shared helpers (also used by models_cmd / export_cmd)


def load_engine(labels: list[Path] | None = None, contexts: str | None = None):
    """The engine over the installed models that ``contexts`` names (default: all of them; the
    others are not read). NoModelsError -> exit 2 with the build hint; an unknown name -> exit 2."""
    from ..scoring import ScoringEngine

    engine = ScoringEngine.from_registry(names=split_names(contexts) if contexts else None)
    for _folder, msg in getattr(
        engine, "problems", []
    ):  # a broken model is skipped, the others score
        print(f"warning: {msg}", file=sys.stderr)
    if contexts:
        engine.select(contexts)  # validate early: unknown names are an error
    if labels:
        from ..io.labels import read_label_files

        table = read_label_files(labels)
        rep = engine.set_labels(table)
        print(
            f"labels: {rep['usable']} pairs from {len(labels)} file(s); "
            + ", ".join(f"{k} {v}" for k, v in rep["per_context"].items()),
            file=sys.stderr,
        )
    return engine


def _num(x: Any, nd: int = 4) -> str:
    return "-" if x is None or x != x else f"{x:.{nd}f}"


def _top(fraction: Any) -> str:
    """'top_0.1%' (one token, so text tables stay split-able on white space), '-' if unknown."""
    if fraction is None or fraction != fraction:
        return "-"
    return describe_top(float(fraction)).replace("top ", "top_").replace(" %", "%")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--contexts",
        default=None,
        metavar="A,B,...",
        help="comma-separated contexts (default: all installed, e.g. BRCA,OV,pan)",
    )
    p.add_argument(
        "--labels",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="label file(s) (gene1, gene2, label[, cancer]; ELISL / SynLethDB formats too) "
        "to flag known pairs; repeatable",
    )
    p.add_argument(
        "--include-trial",
        action="store_true",
        help="also use trial models (trained with the app's quick run: one fold, few epochs); "
        "without it they are left out unless named in --contexts",
    )


def chosen_contexts(engine: Any, args: argparse.Namespace) -> list[str]:
    """The contexts a command uses: ``--contexts`` as given, else every installed model except
    trial models (quick runs) unless ``--include-trial``; says on stderr which were left out."""
    if getattr(args, "contexts", None):
        return engine.select(args.contexts)
    trial = set(engine.trial_contexts()) if hasattr(engine, "trial_contexts") else set()
    if getattr(args, "include_trial", False) or not trial:
        return engine.contexts
    print(
        "note: left out trial model(s) "
        + ", ".join(sorted(trial))
        + " (quick run: one fold, few epochs); "
        "add --include-trial or name them in --contexts",
        file=sys.stderr,
    )
    return [c for c in engine.contexts if c not in trial]


def context_label(name: str, info: dict[str, Any]) -> str:
    """A context's name as listed: ``MY_OV(trial)`` for a trial model (one token, so that text
    tables stay split-able on white space)."""
    return f"{name}(trial)" if info.get("trial") else name


# ----------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="SL scores of a gene pair (or a file of pairs) in every context",
        description="Score a gene pair in every installed context, or a file of pairs. "
        "Scores average both gene orders and the fold models.",
    )
    p.add_argument(
        "genes", nargs="*", metavar="GENE", help="two genes (symbol, alias or Entrez ID)"
    )
    p.add_argument(
        "--pairs",
        type=Path,
        default=None,
        metavar="FILE",
        help="CSV/TSV with gene1 and gene2 columns: score every row",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE.tsv",
        help="with --pairs: output TSV (default: stdout)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_common(p)
    p.set_defaults(func=_score)

    q = sub.add_parser(
        "partners",
        help="best SL partners of one gene, per context or across contexts",
        description="Score one gene against every gene of each context's universe.",
    )
    q.add_argument("gene", metavar="GENE")
    q.add_argument(
        "--top",
        type=int,
        default=20,
        metavar="N",
        help="partners to list (default 20): across contexts, N partners in all; with --context, N",
    )
    q.add_argument(
        "--context",
        default=None,
        metavar="C",
        help="one context: a ranked list (default: a partners x contexts table)",
    )
    q.add_argument(
        "--high-top",
        type=float,
        default=0.01,
        metavar="FRACTION",
        help="genome-wide rank counted as high in n_high: the top FRACTION of the context's pairs "
        "(default 0.01 = top 1 %%)",
    )
    q.add_argument(
        "--high",
        type=float,
        default=0.5,
        help="raw score counted as high in n_high for models without a rank map (default 0.5)",
    )
    q.add_argument(
        "--order",
        choices=("rank", "above_typical"),
        default="rank",
        help="rank: by genome-wide percentile (default); above_typical: by how far the pair ranks "
        "above the partner's typical rank with random genes (discounts partners that score high "
        "with everything)",
    )
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_common(q)
    q.set_defaults(func=_partners)


# ----------------------------------------------------------------------


def _score(args: argparse.Namespace) -> int:
    if args.pairs is not None:
        if args.genes:
            raise InputError(None, "give either two genes or --pairs FILE, not both")
        return _score_file(args)
    if len(args.genes) != 2:
        raise InputError(None, "give two genes (e.g. `synleaf score BRCA1 RAD51`) or --pairs FILE")
    if args.out is not None:
        raise InputError(None, "--out goes with --pairs")
    engine = load_engine(args.labels, args.contexts)
    res = engine.score_pair(args.genes[0], args.genes[1], contexts=chosen_contexts(engine, args))
    info = {c: engine.context_info(c) for c in res.contexts}
    if args.json:
        d = res.to_dict()
        for c, v in d["contexts"].items():
            v["val_auc"] = info[c]["val_auc"]
            v["test_auc"] = info[c]["test_auc"]
        print(json.dumps(d, indent=2))
    else:
        print(format_pair(res, info))
    if res.unresolved:
        err = engine.unresolved_error(res.unresolved)
        hint = "; ".join(
            f"did you mean {' or '.join(v)} (for {k!r})?" for k, v in err.suggestions.items()
        )
        print(
            "unresolved gene name(s): "
            + ", ".join(repr(u) for u in res.unresolved)
            + " (not an HGNC symbol, alias or Entrez ID in the shipped gene table)"
            + (f"; {hint}" if hint else ""),
            file=sys.stderr,
        )
        return 1
    return 0


def format_pair(res: Any, info: dict[str, dict[str, Any]]) -> str:
    """The text form of ``synleaf score A B`` (see the module docstring)."""
    if res.genes is not None:
        title = f"{res.genes[0]} x {res.genes[1]}"
        if tuple(res.genes) != tuple(res.query):
            title += f"  (query: {res.query[0]} {res.query[1]})"
    else:
        return f"{res.query[0]} x {res.query[1]}\nnot scored: unresolved gene name(s) " + ", ".join(
            res.unresolved
        )
    header = [
        "context",
        "score",
        "sd",
        "n",
        "strategy",
        "val_auc",
        "omics",
        "kg",
        "label",
        "training",
        "folds",
        "rank",
        "percentile",
        "heldout_recall",
    ]
    rows: list[list[str]] = []
    lines_out: list[str | list[str]] = []
    for name, cs in res.contexts.items():
        if not cs.in_context:
            lines_out.append(
                f"{context_label(name, info[name])}\tnot in this context: " + ", ".join(cs.missing)
            )
            continue
        sd = _num(cs.sd) if len(cs.folds) > 1 else "-"  # one fold model: no spread to report
        row = [
            context_label(name, info[name]),
            _num(cs.score),
            sd,
            str(len(cs.folds)),
            cs.strategy,
            _num(info[name]["val_auc"]),
            _num(cs.modality.get("omics")),
            _num(cs.modality.get("kg")),
            "-" if cs.known_label is None else str(cs.known_label),
            "-" if cs.in_training is None else ("yes" if cs.in_training else "no"),
            " ".join(f"{x:.4f}" for x in cs.folds),
            _top(cs.top_fraction),
            _num(cs.percentile, 3),
            _num(cs.heldout_recall, 3),
        ]
        rows.append(row)
        lines_out.append(row)
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    w0 = widths[0]
    out = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for item in lines_out:
        if isinstance(item, str):
            name, why = item.split("\t", 1)
            out.append(f"{name.ljust(w0)}  {why}")
        else:
            out.append("  ".join(c.ljust(w) for c, w in zip(item, widths, strict=True)).rstrip())
    ev_lines = [
        f"  {name}: {cs.evidence['sentence']}"
        for name, cs in res.contexts.items()
        if cs.in_context and cs.evidence
    ]
    if ev_lines:
        out.append(
            "co-inactivation in each context's tumours (one-sided depletion p; SL pairs are rarely lost "
            "together):"
        )
        out.extend(ev_lines)
    st = getattr(res, "shared_terms", None)
    if st is not None:
        if st["n_shared"]:
            terms = "; ".join(
                f"{t['name']} ({t['type']}, {t['n_genes']} genes)" for t in st["terms"][:5]
            )
            more = f" and {st['n_shared'] - 5} more" if st["n_shared"] > 5 else ""
            out.append(f"shared annotations ({st['n_shared']}, most specific first): {terms}{more}")
        else:
            out.append("shared annotations: none in the shipped GO BP / KEGG graph")
    pa = [
        f"{name} (before pair evidence {cs.synleaf_score:.4f})"
        for name, cs in res.contexts.items()
        if cs.in_context and cs.score_kind == "pair-aware" and cs.synleaf_score is not None
    ]
    if pa:
        out.append(
            "pair-aware score (each fold's score stacked with the pair's cohort and annotation "
            "evidence; chosen by the CV2 rule, see the model card) in: " + ", ".join(pa)
        )
    out.append(f"note: {_note()} {RANK_NOTE}")
    return "\n".join(out)


def _score_file(args: argparse.Namespace) -> int:
    from ..fileio import atomic_path
    from ..io.labels import column_key, read_delimited

    tab = read_delimited(args.pairs, what="gene-pair table (columns gene1, gene2)")
    keys = {column_key(c): c for c in tab.frame.columns}
    if "gene1" not in keys or "gene2" not in keys:
        raise InputError(
            args.pairs, f"needs columns gene1 and gene2; found {list(tab.frame.columns)[:12]}"
        )
    import pandas as pd

    pairs = pd.DataFrame(
        {
            "gene1": tab.frame[keys["gene1"]].str.strip(),
            "gene2": tab.frame[keys["gene2"]].str.strip(),
        }
    )
    engine = load_engine(args.labels, args.contexts)
    df, unresolved = engine.score_pairs(
        pairs, contexts=chosen_contexts(engine, args), with_labels=bool(args.labels)
    )
    df = export_conventions(df, engine)
    kw = dict(sep="\t", index=False, float_format="%.6f", na_rep="", lineterminator="\n")
    if args.out is None:
        df.to_csv(sys.stdout, **kw)
    else:
        with atomic_path(args.out) as tmp:
            df.to_csv(tmp, **kw)
    ctx = df.attrs.get("contexts", [])
    dest = str(args.out) if args.out is not None else "stdout"
    print(f"scored {len(df)} pairs in {len(ctx)} contexts -> {dest}", file=sys.stderr)
    skipped = df.attrs.get("self_pairs") or []
    if skipped:
        print(
            f"skipped {len(skipped)} self-pair(s) (a gene with itself is not scored): "
            + ", ".join(f"{a} x {b}" for a, b in skipped[:10])
            + (" ..." if len(skipped) > 10 else ""),
            file=sys.stderr,
        )
    if unresolved:
        print(
            f"unresolved gene names ({len(unresolved)}): "
            + ", ".join(unresolved[:50])
            + (" ..." if len(unresolved) > 50 else ""),
            file=sys.stderr,
        )
    return 0


def export_conventions(df: Any, engine: Any) -> Any:
    """The conventions of every exported score table (CLI ``score --pairs`` and the app's CSV
    export), as the genome-wide export: ``<ctx>_sd`` empty (NA) for a context scored by one fold
    model (no spread; the text output prints ``-``); ``<ctx>_in_training`` as 1/0 (empty =
    unknown); then ``known_source``, ``known_pmid``, ``known_cell_line`` from the shipped
    known-pairs table (SynLethDB evidence; empty where none)."""
    import pandas as pd

    out = df.copy()
    for c in df.attrs.get("contexts", []):
        try:
            one = engine.bundle(c).folds == 1
        except (KeyError, AttributeError, SynleafError):
            one = False
        if one and f"{c}_sd" in out:
            out[f"{c}_sd"] = float("nan")
        if f"{c}_in_training" in out:
            out[f"{c}_in_training"] = out[f"{c}_in_training"].astype("Int64")
    from ..io.known_pairs import EVIDENCE_COLUMNS, default_known_pairs

    known = default_known_pairs()
    if known is not None and "symbol1" in out:
        ev = known.evidence_columns(out["symbol1"].tolist(), out["symbol2"].tolist())
        for k in EVIDENCE_COLUMNS:
            out[k] = pd.Series(ev[k], index=out.index, dtype=object)
    out.attrs = dict(df.attrs)
    return out


# ----------------------------------------------------------------------


def _none(x: Any) -> Any:
    try:
        import pandas as pd

        if x is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, float) and x != x:
        return None
    if hasattr(x, "item"):
        return x.item()
    return x


def _partners(args: argparse.Namespace) -> int:
    if args.top is not None and args.top < 1:
        raise InputError(None, "--top must be at least 1")
    if args.context and args.contexts:
        raise InputError(None, "give --context (one) or --contexts (several), not both")
    engine = load_engine(args.labels, args.context or args.contexts)
    if not args.context:
        args.contexts = ",".join(chosen_contexts(engine, args))
    if args.context:
        name = engine.select(args.context)[0]
        df = engine.partners(
            args.gene,
            top=args.top,
            contexts=[name],
            order="above_typical" if args.order == "above_typical" else "score",
        )[name]
        sym = df.attrs["gene"]
        if args.json:
            recs = [{k: _none(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
            print(
                json.dumps(
                    {
                        "gene": sym,
                        "context": name,
                        "in_context": df.attrs["in_context"],
                        "partners": recs,
                        "version": __version__,
                        "note": _note(),
                    },
                    indent=2,
                )
            )
        elif not df.attrs["in_context"]:
            print(f"{sym}: not in the {name} context's gene universe")
        else:
            rows = []
            for k, r in enumerate(df.to_dict(orient="records")):
                lab, trn = _none(r["known_label"]), _none(r["in_training"])
                rows.append(
                    [
                        str(k + 1),
                        r["partner"],
                        _num(r["score"]),
                        _num(r["sd"]),
                        "-" if lab is None else str(int(lab)),
                        "-" if trn is None else ("yes" if trn else "no"),
                        _top(_none(r["top_fraction"])),
                        _num(_none(r["heldout_recall"]), 3),
                        _top(_none(r["typical_top_fraction"])),
                        _num(_none(r["above_typical"]), 2),
                    ]
                )
            print(
                f"{sym}: top {len(rows)} partners in {name}"
                + (
                    " (ordered by rank above the partner's typical rank)"
                    if args.order == "above_typical"
                    else ""
                )
            )
            print(
                _table(
                    rows,
                    [
                        "rank",
                        "partner",
                        "score",
                        "sd",
                        "label",
                        "training",
                        "genome_rank",
                        "heldout_recall",
                        "typical_rank",
                        "above_typical",
                    ],
                )
            )
            print(
                f"note: {_note()} {RANK_NOTE} typical_rank = the partner's median rank with random genes; "
                "above_typical = decades above it."
            )
        return 0
    df = engine.cross_context(
        args.gene,
        top=args.top,
        contexts=args.contexts,
        high=args.high,
        high_top=args.high_top,
        order=args.order,
    )
    names = df.attrs["contexts"]
    if args.json:
        recs = []
        for r in df.to_dict(orient="records"):
            recs.append(
                {
                    "partner": r["partner"],
                    "scores": {c: _none(r[c]) for c in names},
                    **{
                        k: _none(r[k])
                        for k in (
                            "mean",
                            "max",
                            "min",
                            "n_contexts",
                            "n_contexts_high",
                            "best_context",
                            "specificity",
                        )
                    },
                    **{
                        f"{key}s" if key != "heldout_recall" else key: {
                            c: _none(r[f"{c}_{key}"]) for c in names
                        }
                        for key in ("percentile", "top_fraction", "heldout_recall", "above_typical")
                    },
                    **{
                        k: _none(r[k])
                        for k in (
                            "mean_percentile",
                            "max_percentile",
                            "best_top_fraction",
                            "mean_above_typical",
                        )
                    },
                }
            )
        print(
            json.dumps(
                {
                    "gene": df.attrs["gene"],
                    "contexts": names,
                    "missing_contexts": df.attrs["missing_contexts"],
                    "high": args.high,
                    "high_top": args.high_top,
                    "order": args.order,
                    "partners": recs,
                    "version": __version__,
                    "note": _note() + " " + RANK_NOTE,
                },
                indent=2,
            )
        )
        return 0
    rule = (
        "mean genome-wide percentile over contexts"
        if args.order == "rank"
        else "mean decades above the partner's typical rank"
    )
    print(f"{df.attrs['gene']}: top {len(df)} partners across contexts, by {rule}")
    if df.attrs["missing_contexts"]:
        print(f"not in these contexts' universes: {', '.join(df.attrs['missing_contexts'])}")
    rows = [
        [r["partner"]]
        + [_num(_none(r[c]), 3) for c in names]
        + [
            _num(r["mean"], 3),
            _num(r["max"], 3),
            _num(r["min"], 3),
            str(int(r["n_contexts_high"])),
            str(r["best_context"]),
            _num(_none(r["specificity"]), 3),
            _num(_none(r["mean_percentile"]), 2),
            _top(_none(r["best_top_fraction"])),
            _num(_none(r["mean_above_typical"]), 2),
        ]
        for r in df.to_dict(orient="records")
    ]
    print(
        _table(
            rows,
            ["partner"]
            + [context_label(n, engine.context_info(n)) for n in names]
            + [
                "mean",
                "max",
                "min",
                "n_high",
                "best",
                "specificity",
                "mean_pct",
                "best_rank",
                "above_typ",
            ],
        )
    )
    print(
        f"note: context columns, mean, max, min = raw scores (not comparable between contexts); n_high = contexts "
        f"where the pair is in the top {100 * args.high_top:g} % of that context's pairs (raw score >= {args.high} "
        "for a model without a rank map); best = context with the highest percentile; specificity = best raw score "
        "minus the mean of the others; mean_pct = mean percentile; best_rank = best genome-wide rank; above_typ = "
        "mean decades above the partner's typical rank. " + _note() + " " + RANK_NOTE
    )
    return 0
