"""``synleaf score`` and ``synleaf partners``: SL scores from the installed models.

Output formats (an interface: keep them stable)
================================================

Every score is a model output in [0, 1] (not a calibrated probability): for each fold model of a
context, ``(p(A,B) + p(B,A)) / 2`` (the SynLeaF heads are order-dependent, so both gene orders
are scored and averaged); the context score is the mean over the fold models, ``sd`` their
population SD. Gene names may be HGNC symbols, aliases or Entrez IDs, in any case; names that
cannot be resolved are reported, never guessed. A gene outside a context's gene universe gets
no score there ("not in this context"). Context names are matched case-insensitively.

Exit codes: 0 done; 1 a query gene could not be resolved; 2 an error (bad input, no models
installed: the message tells how to build them); 130 cancelled.

``synleaf score GENE_A GENE_B [--contexts BRCA,OV,...] [--labels FILE ...] [--json]``
    Text (stdout): a title line, a header, one line per context, a note::

        BRCA1 x RAD51
        context  score   sd      n  strategy  val_auc  omics   kg      label  training  folds
        BRCA     0.9928  0.0121  5  umt       0.9431   0.9710  0.9022  1      yes       0.99 0.98 ...
        OV       not in this context: RAD51
        note: ...

    ``n`` = fold models averaged; ``omics``/``kg`` = the same score from each single-modality
    teacher; ``label`` = known label from ``--labels`` (``-`` if none); ``training`` = ``yes`` if the
    pair is in the train split of one of the context's fold models, ``no``, or ``-`` when the model
    ships no split pairs; ``folds`` = per-fold scores.

    JSON (``--json``, stdout): one object::

        {"query": ["brca1", "RAD51"], "genes": ["BRCA1", "RAD51"] | null, "unresolved": [],
         "contexts": {"BRCA": {"score": 0.99 | null, "sd": 0.01 | null, "folds": [...],
                               "by_order": [p_ab, p_ba] | null, "modality": {"omics": x, "kg": y} | {},
                               "in_context": true, "missing": [], "known_label": 1 | 0 | null,
                               "in_training": true | false | null, "strategy": "umt",
                               "val_auc": 0.94 | null, "test_auc": 0.93 | null}, ...},
         "version": "0.1.0", "note": "..."}

    ``by_order`` = fold means of p(A,B) and p(B,A); ``missing`` = query genes outside that context.

``synleaf score --pairs FILE [--out FILE.tsv] [--contexts ...] [--labels FILE ...]``
    Input: CSV or TSV (delimiter sniffed, gzip allowed) with columns ``gene1`` and ``gene2`` (any
    case); other columns are ignored. Output (TSV, atomic; stdout without ``--out``): one row per
    input row, columns ``gene1 gene2 symbol1 symbol2 <ctx>... <ctx>_sd...`` (contexts in display
    order; scores with 6 decimals; empty cell = unresolved or not in that context). With
    ``--labels`` also ``<ctx>_label`` and ``<ctx>_in_training`` columns. Unresolved names and a
    summary go to stderr.

``synleaf partners GENE [--top N] [--context C] [--contexts ...] [--labels FILE ...] [--json]``
    With ``--context C``: the N best partners in C, text columns
    ``rank partner score sd label training``; JSON ``{"gene", "context", "in_context",
    "partners": [{"partner", "score", "sd", "known_label", "in_training"}], "version", "note"}``.
    Without: a partners x contexts table (the union of each context's top N), text columns
    ``partner <ctx>... mean max min n_high best specificity`` sorted by ``max``; ``n_high`` =
    contexts with score >= 0.5, ``specificity`` = best context's score minus the mean of the
    others (high = specific to one cancer; low with a high mean = high everywhere). JSON
    ``{"gene", "contexts", "missing_contexts", "high", "partners": [{"partner", "scores":
    {ctx: x | null}, "mean", "max", "min", "n_contexts", "n_contexts_high", "best_context",
    "specificity"}], "version", "note"}``.

``synleaf models list [--json]`` / ``models add FOLDER [--name N] [--overwrite]`` /
``models remove NAME`` / ``models show NAME``
    ``list`` text columns: ``name kind strategy val_auc test_auc omics genes folds size_mb``
    (``folds`` = shipped/trained); JSON: a list of objects with ``name, kind, strategy,
    val_auc, test_auc, headline, omics, n_genes, folds_shipped, folds_trained, size_bytes,
    created, cancer, description, folder``. ``show`` prints the manifest (JSON).

``synleaf export genome-wide --context C (--top N | --threshold T) --out FILE.tsv``
    Scores every unordered pair of C's universe (~1.6e8 for 18k genes). Progress on stderr.
    Output TSV columns ``gene1 gene2 score sd known_label in_training`` (see
    :mod:`synleaf_desktop.scoring.genome`): top-N sorted by score; threshold-only in gene order.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError

def _note() -> str:
    from ..scoring.engine import PAIR_ORDER_NOTE

    return PAIR_ORDER_NOTE


# ----------------------------------------------------------------------
# shared helpers (also used by models_cmd / export_cmd)


def load_engine(labels: list[Path] | None = None, contexts: str | None = None):
    """The engine over every installed model (NoModelsError -> exit 2 with the build hint)."""
    from ..scoring import ScoringEngine

    engine = ScoringEngine.from_registry()
    if contexts:
        engine.select(contexts)  # validate early: unknown names are an error
    if labels:
        from ..io.labels import read_label_files

        table = read_label_files(labels)
        rep = engine.set_labels(table)
        print(f"labels: {rep['usable']} pairs from {len(labels)} file(s); "
              + ", ".join(f"{k} {v}" for k, v in rep["per_context"].items()), file=sys.stderr)
    return engine


def _num(x: Any, nd: int = 4) -> str:
    return "-" if x is None or x != x else f"{x:.{nd}f}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contexts", default=None, metavar="A,B,...",
                   help="comma-separated contexts (default: all installed, e.g. BRCA,OV,pan)")
    p.add_argument("--labels", type=Path, action="append", default=None, metavar="FILE",
                   help="label file(s) (gene1, gene2, label[, cancer]; ELISL / SynLethDB formats too) "
                        "to flag known pairs; repeatable")


# ----------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="SL scores of a gene pair (or a file of pairs) in every context",
                       description="Score a gene pair in every installed context, or a file of pairs. "
                                   "Scores average both gene orders and the fold models.")
    p.add_argument("genes", nargs="*", metavar="GENE", help="two genes (symbol, alias or Entrez ID)")
    p.add_argument("--pairs", type=Path, default=None, metavar="FILE",
                   help="CSV/TSV with gene1 and gene2 columns: score every row")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.tsv",
                   help="with --pairs: output TSV (default: stdout)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_common(p)
    p.set_defaults(func=_score)

    q = sub.add_parser("partners", help="best SL partners of one gene, per context or across contexts",
                       description="Score one gene against every gene of each context's universe.")
    q.add_argument("gene", metavar="GENE")
    q.add_argument("--top", type=int, default=20, metavar="N", help="partners per context (default 20)")
    q.add_argument("--context", default=None, metavar="C", help="one context: a ranked list (default: "
                                                                "a partners x contexts table)")
    q.add_argument("--high", type=float, default=0.5, help="score counted as high in n_high (default 0.5)")
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
    res = engine.score_pair(args.genes[0], args.genes[1], contexts=args.contexts)
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
        print("unresolved gene name(s): " + ", ".join(repr(u) for u in res.unresolved)
              + " (not an HGNC symbol, alias or Entrez ID in the shipped gene table)", file=sys.stderr)
        return 1
    return 0


def format_pair(res: Any, info: dict[str, dict[str, Any]]) -> str:
    """The text form of ``synleaf score A B`` (see the module docstring)."""
    if res.genes is not None:
        title = f"{res.genes[0]} x {res.genes[1]}"
        if tuple(res.genes) != tuple(res.query):
            title += f"  (query: {res.query[0]} {res.query[1]})"
    else:
        return (f"{res.query[0]} x {res.query[1]}\nnot scored: unresolved gene name(s) "
                + ", ".join(res.unresolved))
    header = ["context", "score", "sd", "n", "strategy", "val_auc", "omics", "kg", "label", "training", "folds"]
    rows: list[list[str]] = []
    lines_out: list[str | list[str]] = []
    for name, cs in res.contexts.items():
        if not cs.in_context:
            lines_out.append(f"{name}\tnot in this context: " + ", ".join(cs.missing))
            continue
        sd = _num(cs.sd) if len(cs.folds) > 1 else "-"  # one fold model: no spread to report
        row = [name, _num(cs.score), sd, str(len(cs.folds)), cs.strategy, _num(info[name]["val_auc"]),
               _num(cs.modality.get("omics")), _num(cs.modality.get("kg")),
               "-" if cs.known_label is None else str(cs.known_label),
               "-" if cs.in_training is None else ("yes" if cs.in_training else "no"),
               " ".join(f"{x:.4f}" for x in cs.folds)]
        rows.append(row)
        lines_out.append(row)
    widths = [max(len(str(r[k])) for r in [header] + rows) for k in range(len(header))]
    w0 = widths[0]
    out = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for item in lines_out:
        if isinstance(item, str):
            name, why = item.split("\t", 1)
            out.append(f"{name.ljust(w0)}  {why}")
        else:
            out.append("  ".join(c.ljust(w) for c, w in zip(item, widths)).rstrip())
    out.append(f"note: {_note()}")
    return "\n".join(out)


def _score_file(args: argparse.Namespace) -> int:
    from ..fileio import atomic_path
    from ..io.labels import column_key, read_delimited

    tab = read_delimited(args.pairs, what="gene-pair table (columns gene1, gene2)")
    keys = {column_key(c): c for c in tab.frame.columns}
    if "gene1" not in keys or "gene2" not in keys:
        raise InputError(args.pairs, f"needs columns gene1 and gene2; found {list(tab.frame.columns)[:12]}")
    import pandas as pd

    pairs = pd.DataFrame({"gene1": tab.frame[keys["gene1"]].str.strip(),
                          "gene2": tab.frame[keys["gene2"]].str.strip()})
    engine = load_engine(args.labels, args.contexts)
    df, unresolved = engine.score_pairs(pairs, contexts=args.contexts, with_labels=bool(args.labels))
    kw = dict(sep="\t", index=False, float_format="%.6f", na_rep="", lineterminator="\n")
    if args.out is None:
        df.to_csv(sys.stdout, **kw)
    else:
        with atomic_path(args.out) as tmp:
            df.to_csv(tmp, **kw)
    ctx = df.attrs.get("contexts", [])
    dest = str(args.out) if args.out is not None else "stdout"
    print(f"scored {len(df)} pairs in {len(ctx)} contexts -> {dest}", file=sys.stderr)
    if unresolved:
        print(f"unresolved gene names ({len(unresolved)}): " + ", ".join(unresolved[:50])
              + (" ..." if len(unresolved) > 50 else ""), file=sys.stderr)
    return 0


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
    if args.context:
        name = engine.select(args.context)[0]
        df = engine.partners(args.gene, top=args.top, contexts=[name])[name]
        sym = df.attrs["gene"]
        if args.json:
            recs = [{k: _none(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
            print(json.dumps({"gene": sym, "context": name, "in_context": df.attrs["in_context"],
                              "partners": recs, "version": __version__, "note": _note()}, indent=2))
        elif not df.attrs["in_context"]:
            print(f"{sym}: not in the {name} context's gene universe")
        else:
            rows = []
            for k, r in enumerate(df.to_dict(orient="records")):
                lab, trn = _none(r["known_label"]), _none(r["in_training"])
                rows.append([str(k + 1), r["partner"], _num(r["score"]), _num(r["sd"]),
                             "-" if lab is None else str(int(lab)),
                             "-" if trn is None else ("yes" if trn else "no")])
            print(f"{sym}: top {len(rows)} partners in {name}")
            print(_table(rows, ["rank", "partner", "score", "sd", "label", "training"]))
            print(f"note: {_note()}")
        return 0
    df = engine.cross_context(args.gene, top=args.top, contexts=args.contexts, high=args.high)
    names = df.attrs["contexts"]
    if args.json:
        recs = []
        for r in df.to_dict(orient="records"):
            recs.append({"partner": r["partner"], "scores": {c: _none(r[c]) for c in names},
                         **{k: _none(r[k]) for k in ("mean", "max", "min", "n_contexts", "n_contexts_high",
                                                     "best_context", "specificity")}})
        print(json.dumps({"gene": df.attrs["gene"], "contexts": names, "missing_contexts": df.attrs["missing_contexts"],
                          "high": args.high, "partners": recs, "version": __version__, "note": _note()}, indent=2))
        return 0
    print(f"{df.attrs['gene']}: best partners across contexts (union of each context's top {args.top})")
    if df.attrs["missing_contexts"]:
        print(f"not in these contexts' universes: {', '.join(df.attrs['missing_contexts'])}")
    rows = [[r["partner"]] + [_num(_none(r[c]), 3) for c in names]
            + [_num(r["mean"], 3), _num(r["max"], 3), _num(r["min"], 3), str(int(r["n_contexts_high"])),
               str(r["best_context"]), _num(_none(r["specificity"]), 3)]
            for r in df.to_dict(orient="records")]
    print(_table(rows, ["partner"] + names + ["mean", "max", "min", "n_high", "best", "specificity"]))
    print(f"note: n_high = contexts with score >= {args.high}; specificity = best minus mean of the others. "
          + _note())
    return 0
