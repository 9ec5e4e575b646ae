"""Per-gene, per-tumour inactivation calls of a cohort, for co-inactivation evidence.

A gene is **inactivated** in a tumour when it has a damaging mutation or a deep deletion:

Damaging mutation (MAF, ``Variant_Classification``, case-insensitive):
    truncating / splice / start / stop-loss classes :data:`DAMAGING_CLASSES`
    (Nonsense_Mutation, Frame_Shift_Del, Frame_Shift_Ins, Splice_Site and its OV spellings
    Splice_Site_SNP / _Del / _Ins, Nonstop_Mutation, Translation_Start_Site, and the GDC
    Start_Codon_SNP / _Del / _Ins). ``Missense_Mutation`` counts only where the MAF has a
    damaging prediction column (:data:`SIFT_COLUMNS`: value starting ``deleterious`` or
    equal to ``D``; :data:`POLYPHEN_COLUMNS`: value containing ``damaging`` or equal to
    ``D``/``P``). **None of the shared MAFs carries such a column** (their centre
    annotation columns were not exported), so there missense never counts. In-frame
    indels, De_novo_Start_*, silent and non-coding classes never count.
    A 0/1 mutation matrix (``binary_mutation``, LUAD) has no variant classes: every 1
    (a non-silent call) counts, a looser rule that is recorded in the source description.
    An ``alteration`` matrix (1 = mutation OR copy number -2 OR +2) is never used: it
    cannot tell a deletion from an amplification.

Deep deletion (copy number):
    discrete CNA (GISTIC-style -2..2) value ``<= -2`` where such a file exists (preferred);
    otherwise segment-derived gene log2 ratio (:func:`synleaf_desktop.io.seg.read_seg`,
    length-weighted mean over the gene body) ``< DEEP_DELETION_LOG2 = -1.0``; same for a
    ``log2_cna`` matrix. Why -1.0: one lost copy of two gives log2(1/2) = -1 only in a pure
    tumour; with the usual 50-80 % purity a hemizygous loss lies between -0.3 and -0.7,
    while a homozygous loss lies below -1 from about 50 % purity on. So -1.0 keeps most
    homozygous and drops most hemizygous losses (it is also the common cut for "deep
    deletion" from log2 ratios). A ``linear_cna`` file gives no deletion calls (its scale
    is not fixed). Amplification (cohort profile only): discrete ``>= 2``, or log2
    ``> AMPLIFICATION_LOG2 = 1.0`` (about 5+ copies at 70 % purity).

Samples: the sorted union of the tumours in the mutation and copy-number sources. A data
type's calls are False in tumours it did not profile (so a tumour with copy number only
can be "inactivated" only by deletion). Genes: a MAF profiles every gene (exome: no row
= no mutation); a matrix or segment file profiles the genes it has (segments: genes with
coordinates overlapping a segment). A gene profiled by one data type gets calls from that
type only; a gene profiled by none is flagged (``gene_types == 0``) and scored "no evidence".

:func:`evidence_arrays` gives the bundle member ``evidence.npz`` (see
:class:`synleaf_desktop.scoring.evidence.EvidenceStore`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ReadReport
from ..io.genes import GeneResolver, default_resolver
from ..io.maf import SILENT_CLASSES, read_maf
from ..io.matrix import read_matrix
from ..io.seg import read_seg
from ..io.study import recognise
from ..io.tabular import find_column, read_table, resolve_rows, scan_header

DAMAGING_CLASSES: frozenset[str] = frozenset(
    c.lower()
    for c in (
        "Nonsense_Mutation",
        "Frame_Shift_Del",
        "Frame_Shift_Ins",
        "Splice_Site",
        "Splice_Site_SNP",
        "Splice_Site_Del",
        "Splice_Site_Ins",
        "Nonstop_Mutation",
        "Translation_Start_Site",
        "Start_Codon_SNP",
        "Start_Codon_Del",
        "Start_Codon_Ins",
    )
)
MISSENSE_CLASSES: frozenset[str] = frozenset(("missense_mutation", "missense"))
SIFT_COLUMNS: tuple[str, ...] = ("SIFT", "SIFT_pred", "SIFT_prediction", "sift_pred")
POLYPHEN_COLUMNS: tuple[str, ...] = (
    "PolyPhen",
    "PolyPhen2",
    "Polyphen2_HDIV_pred",
    "Polyphen2_HVAR_pred",
    "PolyPhen_pred",
    "PolyPhen_prediction",
)
DEEP_DELETION_LOG2 = -1.0
AMPLIFICATION_LOG2 = 1.0
#: columns of ``profile_counts`` (events per gene) and ``profiled`` (their denominators)
PROFILE_COLUMNS: tuple[str, ...] = (
    "mutated",
    "damaging",
    "deep_deletion",
    "amplification",
    "inactivated",
)
#: preferred source formats, best first
MUT_FORMATS = ("maf", "binary_mutation")
CNA_FORMATS = ("discrete_cna", "seg", "log2_cna")

GENE_MUT, GENE_CNA = 1, 2


# ----------------------------------------------------------------------
# rules (pure functions, tested on hand-made rows)


def damaging_missense(
    sift: Sequence[Any] | np.ndarray | None = None,
    polyphen: Sequence[Any] | np.ndarray | None = None,
    n: int | None = None,
) -> np.ndarray:
    """bool [n]: the prediction columns call the variant damaging (either one suffices)."""
    if sift is None and polyphen is None:
        return np.zeros(int(n or 0), dtype=bool)
    out = None
    if sift is not None:
        s = pd.Series(sift, dtype=object).fillna("").astype(str).str.strip().str.lower()
        out = (s.str.startswith("deleterious") | (s == "d")).to_numpy()
    if polyphen is not None:
        p = pd.Series(polyphen, dtype=object).fillna("").astype(str).str.strip().str.lower()
        q = (p.str.contains("damaging") | p.isin(["d", "p"])).to_numpy()
        out = q if out is None else (out | q)
    return np.asarray(out, dtype=bool)


def damaging_mask(
    variant_class: Sequence[Any] | np.ndarray,
    sift: Sequence[Any] | np.ndarray | None = None,
    polyphen: Sequence[Any] | np.ndarray | None = None,
) -> np.ndarray:
    """bool [n]: the MAF rows that inactivate their gene (module docstring rule)."""
    vc = pd.Series(variant_class, dtype=object).fillna("").astype(str).str.strip().str.lower()
    hit = vc.isin(DAMAGING_CLASSES).to_numpy()
    if sift is not None or polyphen is not None:
        hit = hit | (
            vc.isin(MISSENSE_CLASSES).to_numpy() & damaging_missense(sift, polyphen, len(vc))
        )
    return hit


def nonsilent_mask(variant_class: Sequence[Any] | np.ndarray) -> np.ndarray:
    """bool [n]: rows that are not silent / non-coding (:data:`io.maf.SILENT_CLASSES`)."""
    vc = pd.Series(variant_class, dtype=object).fillna("").astype(str).str.strip().str.lower()
    return ~vc.isin(SILENT_CLASSES).to_numpy()


def deep_deletion(values: np.ndarray, fmt: str) -> np.ndarray | None:
    """bool, same shape: deep deletion calls from raw copy-number values (NaN -> False);
    None for a format that gives no calls (``linear_cna``)."""
    v = np.asarray(values, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        if fmt == "discrete_cna":
            return v <= -2
        if fmt in ("seg", "log2_cna"):
            return v < DEEP_DELETION_LOG2
    return None


def amplification(values: np.ndarray, fmt: str) -> np.ndarray | None:
    v = np.asarray(values, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        if fmt == "discrete_cna":
            return v >= 2
        if fmt in ("seg", "log2_cna"):
            return v > AMPLIFICATION_LOG2
    return None


# ----------------------------------------------------------------------
# calls


@dataclass
class _Layer:
    """Calls of one data type: sparse bool [G_t, S_t] per event, on its own genes / samples."""

    kind: str
    genes: np.ndarray
    samples: np.ndarray
    events: dict[str, sp.csr_matrix]
    all_genes: bool = False  # a MAF profiles every gene
    desc: dict[str, Any] = field(default_factory=dict)


@dataclass
class InactivationCalls:
    """A cohort's calls, on the union of its tumours.

    Attributes:
        name: cohort name. samples: str [S] sorted union of tumours.
        layers: "mut" and/or "cna" :class:`_Layer`.
        source: JSON-able description (files, formats, rules, thresholds, counts).
    """

    name: str
    samples: np.ndarray
    layers: dict[str, _Layer]
    source: dict[str, Any]

    def _event(self, kind: str, event: str, genes: np.ndarray) -> np.ndarray:
        """bool [G, S] of one event, aligned to ``genes`` and :attr:`samples`."""
        out = np.zeros((len(genes), len(self.samples)), dtype=bool)
        layer = self.layers.get(kind)
        if layer is None or event not in layer.events:
            return out
        rows = pd.Index(layer.genes).get_indexer(genes)
        cols = pd.Index(self.samples).get_indexer(layer.samples)
        have = rows >= 0
        if have.any():
            sub = layer.events[event][rows[have]].toarray()
            block = np.zeros((int(have.sum()), len(self.samples)), dtype=bool)
            block[:, cols] = sub
            out[have] = block
        return out

    def gene_types(self, genes: Sequence[str] | np.ndarray) -> np.ndarray:
        """uint8 [G]: bit 1 profiled by the mutation source, bit 2 by the copy-number source."""
        genes = np.asarray(genes).astype(str)
        t = np.zeros(len(genes), dtype=np.uint8)
        for kind, bit in (("mut", GENE_MUT), ("cna", GENE_CNA)):
            layer = self.layers.get(kind)
            if layer is None:
                continue
            hit = (
                np.ones(len(genes), bool)
                if layer.all_genes
                else np.isin(genes, layer.genes.astype(str))
            )
            t[hit] |= bit
        return t

    def matrix(self, genes: Sequence[str] | np.ndarray) -> np.ndarray:
        """bool [G, S]: inactivated (damaging mutation OR deep deletion)."""
        genes = np.asarray(genes).astype(str)
        return self._event("mut", "damaging", genes) | self._event("cna", "deep_deletion", genes)

    def profiled(self) -> np.ndarray:
        """int32 [k]: tumours profiled for each :data:`PROFILE_COLUMNS` entry."""
        n_mut = len(self.layers["mut"].samples) if "mut" in self.layers else 0
        n_cna = len(self.layers["cna"].samples) if "cna" in self.layers else 0
        return np.array([n_mut, n_mut, n_cna, n_cna, len(self.samples)], dtype=np.int32)

    def profile_counts(
        self, genes: Sequence[str] | np.ndarray, inactivated: np.ndarray | None = None
    ) -> np.ndarray:
        """int32 [G, k]: tumours per gene with each :data:`PROFILE_COLUMNS` event."""
        genes = np.asarray(genes).astype(str)
        cols = [
            self._event("mut", "mutated", genes).sum(1),
            self._event("mut", "damaging", genes).sum(1),
            self._event("cna", "deep_deletion", genes).sum(1),
            self._event("cna", "amplification", genes).sum(1),
            (self.matrix(genes) if inactivated is None else inactivated).sum(1),
        ]
        return np.stack(cols, axis=1).astype(np.int32)


def _short(path: Path) -> str:
    parts = Path(path).parts
    return "/".join(parts[-3:])


def _sparse(
    genes_idx: np.ndarray, samples_idx: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (np.ones(len(genes_idx), dtype=bool), (genes_idx, samples_idx)), shape=shape, dtype=bool
    )
    m.sum_duplicates()
    return m


def _maf_predictions(
    path: Path, resolver: GeneResolver, n_kept: int
) -> tuple[np.ndarray | None, ...]:
    """SIFT / PolyPhen values of the rows :func:`read_maf` keeps (same order), or (None, None)."""
    header = scan_header(path, what="MAF (tab-separated mutation table)")
    cols = header.columns
    sift, poly = find_column(cols, SIFT_COLUMNS), find_column(cols, POLYPHEN_COLUMNS)
    if sift is None and poly is None:
        return None, None
    hugo, entrez = find_column(cols, ("Hugo_Symbol",)), find_column(cols, ("Entrez_Gene_Id",))
    sample = find_column(cols, ("Tumor_Sample_Barcode",))
    use = [c for c in (hugo, entrez, sample, sift, poly) if c is not None]
    df = read_table(header, usecols=use, dtype=str)
    has_sample = (df[sample].fillna("").str.strip() != "").to_numpy()
    symbols = resolve_rows(
        df[hugo].to_numpy(dtype=object) if hugo else None,
        df[entrez].to_numpy(dtype=object) if entrez else None,
        resolver,
        ReadReport(),
    )
    keep = has_sample & (symbols != "")
    if int(keep.sum()) != n_kept:  # should not happen: same file, same resolver
        return None, None
    return (
        df[sift].to_numpy(dtype=object)[keep] if sift else None,
        df[poly].to_numpy(dtype=object)[keep] if poly else None,
    )


def mutation_layer(path: str | Path, fmt: str, resolver: GeneResolver | None = None) -> _Layer:
    """Mutation calls of a MAF (``fmt="maf"``) or 0/1 matrix (``"binary_mutation"``)."""
    path = Path(path)
    resolver = resolver or default_resolver()
    if fmt == "maf":
        table = read_maf(path, resolver)
        df = table.data
        sift, poly = _maf_predictions(path, resolver, len(df))
        dmg = damaging_mask(df["variant_class"].to_numpy(dtype=object), sift, poly)
        ns = nonsilent_mask(df["variant_class"].to_numpy(dtype=object))
        genes, g_idx = np.unique(df["gene"].to_numpy(dtype=str), return_inverse=True)
        samples = np.asarray(table.samples).astype(str)
        s_idx = np.searchsorted(samples, df["sample"].to_numpy(dtype=str))
        shape = (len(genes), len(samples))
        events = {
            "damaging": _sparse(g_idx[dmg], s_idx[dmg], shape),
            "mutated": _sparse(g_idx[ns], s_idx[ns], shape),
        }
        rule = (
            "damaging = Variant_Classification in "
            + ", ".join(sorted(DAMAGING_CLASSES))
            + (
                "; missense with a damaging SIFT/PolyPhen prediction"
                if (sift is not None or poly is not None)
                else "; missense never (no SIFT/PolyPhen column in this MAF)"
            )
        )
        desc = {
            "file": _short(path),
            "fmt": fmt,
            "samples": len(samples),
            "rule": rule,
            "mutated_rule": "any MAF row not in the silent/non-coding classes",
            "prediction_columns": bool(sift is not None or poly is not None),
            "genes_profiled": "all (exome: a gene without a row is not mutated)",
        }
        return _Layer("mut", genes.astype(str), samples, events, all_genes=True, desc=desc)
    if fmt == "binary_mutation":
        m = read_matrix(path, "mut", resolver, fmt=fmt)
        with np.errstate(invalid="ignore"):
            hit = np.nan_to_num(m.values, nan=0.0) > 0
        csr = sp.csr_matrix(hit)
        desc = {
            "file": _short(path),
            "fmt": fmt,
            "samples": len(m.samples),
            "rule": "every 1 of the 0/1 matrix (a non-silent call; no variant class, so missense counts too)",
            "mutated_rule": "every 1",
            "prediction_columns": False,
            "genes_profiled": f"the {len(m.genes)} genes of the matrix",
        }
        return _Layer(
            "mut",
            np.asarray(m.genes).astype(str),
            np.asarray(m.samples).astype(str),
            {"damaging": csr, "mutated": csr},
            desc=desc,
        )
    raise ValueError(f"no inactivation rule for mutation format {fmt!r} (use {MUT_FORMATS})")


def cna_layer(
    path: str | Path, fmt: str, resolver: GeneResolver | None = None, genome: str = "hg19"
) -> _Layer:
    """Deep deletion / amplification calls of a segment file or copy-number matrix."""
    path = Path(path)
    resolver = resolver or default_resolver()
    m = (
        read_seg(path, genome=genome, resolver=resolver)
        if fmt == "seg"
        else read_matrix(path, "cna", resolver, fmt=fmt)
    )
    deep, amp = deep_deletion(m.values, fmt), amplification(m.values, fmt)
    if deep is None:
        raise ValueError(
            f"no deep-deletion rule for copy-number format {fmt!r} (use {CNA_FORMATS})"
        )
    rule = (
        "discrete value <= -2 (deep deletion), >= 2 (amplification)"
        if fmt == "discrete_cna"
        else f"gene log2 ratio < {DEEP_DELETION_LOG2} (deep deletion), > {AMPLIFICATION_LOG2} (amplification)"
        + (
            "; gene value = length-weighted mean of the segments over the gene body"
            if fmt == "seg"
            else ""
        )
    )
    desc = {
        "file": _short(path),
        "fmt": fmt,
        "samples": len(m.samples),
        "rule": rule,
        "deep_deletion_log2": DEEP_DELETION_LOG2 if fmt != "discrete_cna" else None,
        "amplification_log2": AMPLIFICATION_LOG2 if fmt != "discrete_cna" else None,
        "genes_profiled": f"the {len(m.genes)} genes with values",
    }
    if fmt == "seg":
        desc["genome"] = genome
    return _Layer(
        "cna",
        np.asarray(m.genes).astype(str),
        np.asarray(m.samples).astype(str),
        {"deep_deletion": sp.csr_matrix(deep), "amplification": sp.csr_matrix(amp)},
        desc=desc,
    )


def inactivation_from_files(
    name: str,
    mut: tuple[str | Path, str] | None = None,
    cna: tuple[str | Path, str] | tuple[str | Path, str, str] | None = None,
    resolver: GeneResolver | None = None,
    not_used: Sequence[str] = (),
) -> InactivationCalls:
    """Calls from one mutation source ``(path, fmt)`` and/or one copy-number source
    ``(path, fmt[, genome])``; at least one is needed."""
    if mut is None and cna is None:
        raise ValueError(
            f"cohort {name}: no mutation or copy-number source usable for inactivation calls"
        )
    resolver = resolver or default_resolver()
    layers: dict[str, _Layer] = {}
    if mut is not None:
        layers["mut"] = mutation_layer(mut[0], mut[1], resolver)
    if cna is not None:
        genome = cna[2] if len(cna) > 2 else "hg19"
        layers["cna"] = cna_layer(cna[0], cna[1], resolver, genome)
    samples = np.array(
        sorted(set().union(*(set(layer.samples.tolist()) for layer in layers.values()))), dtype=str
    )
    kinds = " + ".join({"mut": "damaging mutation", "cna": "deep deletion"}[k] for k in layers)
    source = {
        "cohort": name,
        "inactivation": kinds,
        "samples": len(samples),
        "sample_rule": "union of the tumours of the sources; a source's calls are False in tumours it did not profile",
        "mutation": layers["mut"].desc if "mut" in layers else None,
        "copy_number": layers["cna"].desc if "cna" in layers else None,
        "not_used": list(not_used),
        "profile_columns": list(PROFILE_COLUMNS),
        "profile_denominators": [
            "mutation samples",
            "mutation samples",
            "copy-number samples",
            "copy-number samples",
            "all samples",
        ],
    }
    return InactivationCalls(name, samples, layers, source)


def choose_inputs(files: Sequence[tuple[str | Path, str, str]]) -> tuple[Any, Any, list[str]]:
    """Pick the mutation and copy-number sources from ``(path, kind, fmt)`` candidates.

    Returns ``(mut (path, fmt) | None, cna (path, fmt, genome) | None, notes on files not used)``.
    """
    mut = cna = None
    notes: list[str] = []
    for fmt in MUT_FORMATS:
        hit = [f for f in files if f[1] == "mut" and f[2] == fmt]
        if hit:
            mut = (Path(hit[0][0]), fmt)
            break
    for fmt in CNA_FORMATS:
        hit = [f for f in files if f[1] == "cna" and f[2] == fmt]
        if hit:
            cna_path = Path(hit[0][0])
            low = cna_path.name.lower()
            cna = (cna_path, fmt, "hg38" if ("hg38" in low or "grch38" in low) else "hg19")
            break
    for p, kind, fmt in files:
        chosen = (mut and Path(p) == mut[0]) or (cna and Path(p) == cna[0])
        if chosen or kind not in ("mut", "cna"):
            continue
        why = (
            "1 = mutation OR copy number -2/+2: deletions and amplifications cannot be told apart"
            if fmt == "alteration"
            else "a preferred source of this kind is used"
            if ((kind == "mut" and mut) or (kind == "cna" and cna))
            else f"no inactivation rule for {fmt}"
        )
        notes.append(f"{Path(p).name} ({fmt}): not used: {why}")
    return mut, cna, notes


def study_inputs(folder: str | Path) -> list[tuple[Path, str, str]]:
    """``(path, kind, fmt)`` of the files of a study folder recognised by their cBioPortal names."""
    out = []
    for f in sorted(Path(folder).iterdir()):
        hit = recognise(f) if f.is_file() else None
        if hit:
            out.append((f, hit[0], hit[1]))
    return out


def cohort_inputs(cohort: Any) -> list[tuple[Path, str, str]]:
    """``(path, kind, fmt)`` of the files an imported :class:`~synleaf_desktop.io.study.Cohort`
    was read from (the chosen file of each kind and the alternatives it did not use)."""
    out: list[tuple[Path, str, str]] = []
    for kind, path in (getattr(cohort, "files", {}) or {}).items():
        m = cohort.omics.get(kind)
        if path is not None and m is not None:
            out.append((Path(path), kind, m.fmt))
    for kind, alts in (getattr(cohort, "alternatives", {}) or {}).items():
        for a in alts:
            out.append((Path(a["file"]), kind, a["fmt"]))
    return out


def inactivation_from_cohort(
    cohort: Any, resolver: GeneResolver | None = None
) -> InactivationCalls:
    """Calls for an imported cohort (built-in study or user import), re-reading its raw files
    (the cohort holds normalised values only: no variant classes, no log2 ratios).

    Raises:
        ValueError: the cohort has no usable mutation or copy-number file (e.g. a pooled
            cohort whose files are not recorded: use :func:`inactivation_from_files`).
    """
    mut, cna, notes = choose_inputs(cohort_inputs(cohort))
    return inactivation_from_files(
        str(getattr(cohort, "name", "cohort")), mut, cna, resolver, notes
    )


def inactivation_for_builtin(
    data_dir: str | Path, name: str, resolver: GeneResolver | None = None
) -> InactivationCalls:
    """Calls of a built-in context from the shared data folder: ``omics/<C>/`` chosen as
    :func:`choose_inputs` does; ``pan``: the pan-cancer MAF only (mutation only: the eight
    cancers' segments cover a third of its tumours, which would make the calls uneven)."""
    data_dir = Path(data_dir)
    if name == "pan":
        return inactivation_from_files(
            "pan",
            (data_dir / "omics" / "pan" / "data_mutations.txt.gz", "maf"),
            None,
            resolver,
            [
                "copy-number segments of the 8 cancers: not used (they cover "
                "2,500 of the 5,432 MAF tumours' cohorts only)"
            ],
        )
    mut, cna, notes = choose_inputs(study_inputs(data_dir / "omics" / name))
    return inactivation_from_files(name, mut, cna, resolver, notes)


def evidence_arrays(
    calls: InactivationCalls | Any,
    genes: Sequence[str] | np.ndarray,
    resolver: GeneResolver | None = None,
) -> dict[str, np.ndarray]:
    """The bundle member ``evidence.npz``, aligned to the bundle's gene order.

    Args:
        calls: :class:`InactivationCalls`, or a Cohort (calls are built from its files).
        genes: [G] the bundle's genes.

    Returns:
        ``inact_bits`` uint8 [G, ceil(S/8)], ``profile_counts`` int32 [G, 5]
        (:data:`PROFILE_COLUMNS`), ``profiled`` int32 [5], ``gene_types`` uint8 [G]
        (bit 1 mutation, bit 2 copy number), ``samples`` str [S], ``meta_json`` 0-d str
        (the JSON source description). Loads with ``allow_pickle=False``;
        :meth:`EvidenceStore.from_arrays` reads it.
    """
    if not isinstance(calls, InactivationCalls):
        calls = inactivation_from_cohort(calls, resolver)
    genes = np.asarray(genes).astype(str)
    types = calls.gene_types(genes)
    inact = calls.matrix(genes)
    inact[types == 0] = False
    counts = calls.profile_counts(genes, inact)
    meta = dict(calls.source)
    meta["genes"] = len(genes)
    meta["genes_profiled"] = {
        "mutation": int(((types & GENE_MUT) > 0).sum()),
        "copy_number": int(((types & GENE_CNA) > 0).sum()),
        "none": int((types == 0).sum()),
    }
    meta["genes_ever_inactivated"] = int((counts[:, -1] > 0).sum())
    return {
        "inact_bits": np.packbits(inact, axis=1),  # = scoring.evidence.pack_bits
        "profile_counts": counts,
        "profiled": calls.profiled(),
        "gene_types": types,
        "samples": calls.samples.astype(str),
        "meta_json": np.array(json.dumps(meta, sort_keys=True)),
    }
