"""The recipe for the nine built-in contexts, from the shared data folder.

============ ===================================================== ==========================
context      omics (``data/omics/...``)                             labels (``data/labels/...``)
============ ===================================================== ==========================
BRCA ... SKCM ``<C>/``: every file :func:`read_study` recognises    ELISL train + test pairs of
             (MAF, hg19 segments, microarray, 0/1 mutation matrix)  that cancer
pan          ``pan/data_mutations.txt.gz`` (23 TCGA cohorts) plus    SynLethDB 2.0 ``Human_SL``
             the copy-number segments of the eight cancers, pooled  (positives) + ``Human_nonSL``
             (:meth:`Cohort.from_matrices`); K = 2 (mut, cna)       (negatives)
============ ===================================================== ==========================

Differences from the paper's inputs (README of the data folder, METHOD §1.1): no RNA-seq
or methylation anywhere; copy number is segment-derived; the pan cohort is the RTCGA
2016 MAFs, not PCAWG; there is no SynLethDB ``Human_SR.csv`` (synthetic rescue), so pan
negatives are the nonSL pairs only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fileio import sha256_file
from ..progress import Progress, ensure
from .kg_restrict import CANCER_PATHWAYS

#: the nine built-in contexts, in build order
BUILTIN_CONTEXTS: tuple[str, ...] = (
    "BRCA",
    "CESC",
    "COAD",
    "KIRC",
    "LAML",
    "LUAD",
    "OV",
    "SKCM",
    "pan",
)
SINGLE_CANCERS: tuple[str, ...] = BUILTIN_CONTEXTS[:-1]

ELISL_FILES = ("labels/elisl_train_pairs.csv", "labels/elisl_test_pairs.csv")
SYNLETHDB_FILES = ("labels/synlethdb2_Human_SL.csv", "labels/synlethdb2_Human_nonSL.csv")
PAN_MAF = "omics/pan/data_mutations.txt.gz"
SEG_FILE = "data_cna_hg19.seg.gz"


@dataclass
class ContextSource:
    """Where one built-in context's inputs come from.

    Attributes:
        name: context name.
        data_dir: the shared data folder.
        study_dir: ``omics/<C>`` for single cancers; ``None`` for pan.
        pan_maf: pan only: the pooled MAF.
        pan_segs: pan only: the eight cancers' segment files.
        label_files: label files read together (§1.3 rules applied once).
        label_cancer: cancer whose rows are kept (single cancers) or the name given to
            rows of files without a cancer column (pan).
        cancer_pathway: the KEGG pathway policy (:data:`kg_restrict.CANCER_PATHWAYS`).
        notes: what differs from the paper's recipe.
    """

    name: str
    data_dir: Path
    study_dir: Path | None = None
    pan_maf: Path | None = None
    pan_segs: list[Path] = field(default_factory=list)
    label_files: list[Path] = field(default_factory=list)
    label_cancer: str = ""
    cancer_pathway: str | None = None
    notes: list[str] = field(default_factory=list)

    def input_files(self, cohort: Any = None) -> list[Path]:
        """Every file read for this context: omics files actually used (for a study, the
        files the cohort reports; for pan, the MAF and every segment file), then labels."""
        files: list[Path] = []
        if self.study_dir is not None:
            files = _cohort_files(cohort) if cohort is not None else []
            if not files:
                files = sorted(p for p in self.study_dir.iterdir() if p.is_file())
        else:
            files = [p for p in [self.pan_maf, *self.pan_segs] if p is not None]
        return files + [p for p in self.label_files if p not in files]

    def describe(self) -> dict[str, Any]:
        def rel(p: Path) -> str:
            try:
                return str(p.relative_to(self.data_dir))
            except ValueError:
                return str(p)

        return {
            "recipe": "builtin",
            "study": rel(self.study_dir) if self.study_dir else None,
            "pan_maf": rel(self.pan_maf) if self.pan_maf else None,
            "pan_segs": [rel(p) for p in self.pan_segs],
            "labels": [rel(p) for p in self.label_files],
            "label_cancer": self.label_cancer,
            "cancer_pathway": self.cancer_pathway,
            "notes": list(self.notes),
        }


def _cohort_files(cohort: Any) -> list[Path]:
    """Source files of a cohort's omics (as far as the cohort tells)."""
    out: list[Path] = []
    for attr in ("sources", "files", "paths"):
        v = getattr(cohort, attr, None)
        if isinstance(v, dict):
            v = list(v.values())
        if v:
            for p in v:
                if isinstance(p, (list, tuple)):
                    out.extend(Path(q) for q in p)
                elif p is not None:
                    out.append(Path(p))
            if out:
                return sorted(set(out))
    for m in getattr(cohort, "omics", {}).values():
        src = getattr(m, "source", None)
        if src is not None:
            out.append(Path(src))
    return sorted(set(out))


def builtin_source(data_dir: str | Path, name: str) -> ContextSource:
    """The recipe of one built-in context (files are checked to exist)."""
    data_dir = Path(data_dir)
    if name not in BUILTIN_CONTEXTS:
        raise ValueError(f"unknown built-in context {name!r}; choose from {list(BUILTIN_CONTEXTS)}")
    if name == "pan":
        src = ContextSource(
            name=name,
            data_dir=data_dir,
            pan_maf=data_dir / PAN_MAF,
            pan_segs=[data_dir / "omics" / c / SEG_FILE for c in SINGLE_CANCERS],
            label_files=[data_dir / f for f in SYNLETHDB_FILES],
            label_cancer="pan",
            cancer_pathway=CANCER_PATHWAYS["pan"],
            notes=[
                "labels: SynLethDB 2.0 Human_SL (positives) + Human_nonSL (negatives); no Human_SR.csv "
                "(synthetic rescue) in the data folder, so SR pairs are not among the negatives",
                "omics: pooled RTCGA 2016 MAF of 23 cohorts + copy-number segments of the 8 cancers; "
                "no expression (the paper's pan context has K = 3: cna, exp, mut)",
            ],
        )
    else:
        src = ContextSource(
            name=name,
            data_dir=data_dir,
            study_dir=data_dir / "omics" / name,
            label_files=[data_dir / f for f in ELISL_FILES],
            label_cancer=name,
            cancer_pathway=CANCER_PATHWAYS[name],
            notes=["labels: ELISL train + test pairs of this cancer (METHOD §1.3)"],
        )
    from ..errors import InputError

    needed = ([src.study_dir] if src.study_dir else [src.pan_maf, *src.pan_segs]) + src.label_files
    for p in needed:
        if p is None or not p.exists():
            raise InputError(
                p,
                f"input of built-in context {name} not found; is {data_dir} the shared data folder?",
            )
    return src


def builtin_sources(
    data_dir: str | Path, names: Iterable[str] | None = None
) -> list[ContextSource]:
    return [builtin_source(data_dir, n) for n in (names or BUILTIN_CONTEXTS)]


def _read_labels(src: ContextSource, resolver: Any, cache: dict[Any, Any] | None) -> Any:
    """All rows of the context's label files (§1.3 rules applied), cached per file set."""
    from ..io.labels import read_label_files

    cancer = src.label_cancer if src.study_dir is None else None
    key = (tuple(str(p) for p in src.label_files), cancer)
    if cache is not None and key in cache:
        return cache[key]
    table = read_label_files(src.label_files, resolver=resolver, cancer=cancer)
    if cache is not None:
        cache[key] = table
    return table


def load_inputs(
    src: ContextSource,
    resolver: Any = None,
    progress: Progress | None = None,
    label_cache: dict[Any, Any] | None = None,
) -> tuple[Any, Any]:
    """Read a context's omics cohort and labels.

    ``label_cache`` (a dict kept by the caller) lets the eight ELISL contexts share one
    reading of the ELISL files.

    Returns:
        (:class:`synleaf_desktop.io.study.Cohort`, :class:`synleaf_desktop.io.labels.LabelTable`).
    """
    from ..io.study import Cohort, read_study

    progress = ensure(progress)
    if src.study_dir is not None:
        cohort = read_study(
            [src.study_dir], resolver=resolver, progress=progress.sub(0.0, 0.9), name=src.name
        )
    else:
        from ..io.maf import read_maf
        from ..io.seg import read_seg

        assert src.pan_maf is not None  # a source without a study folder is the pan one
        n = 1 + len(src.pan_segs)
        progress.update(0.0, f"{src.name}: reading the pan MAF")
        matrices = [read_maf(src.pan_maf, resolver=resolver).counts()]
        for i, seg in enumerate(src.pan_segs, 1):
            progress.update(0.9 * i / n, f"{src.name}: reading {seg.parent.name} copy number")
            matrices.append(read_seg(seg, genome="hg19", resolver=resolver))
        progress.update(0.9, f"{src.name}: pooling")
        cohort = Cohort.from_matrices(src.name, matrices)
        del matrices
    labels = _read_labels(src, resolver, label_cache).for_cancer(src.label_cancer)
    progress.update(1.0, f"{src.name}: inputs read")
    return cohort, labels


def checksums(files: Iterable[str | Path], cache: dict[str, str] | None = None) -> dict[str, str]:
    """``{path: sha256}`` of every file (``cache`` avoids hashing a shared file twice)."""
    cache = cache if cache is not None else {}
    out = {}
    for f in files:
        key = str(Path(f).resolve())
        if key not in cache:
            cache[key] = sha256_file(f)
        out[str(f)] = cache[key]
    return out


def load_kg(kg_dir: str | Path | None = None) -> Any:
    """The shipped knowledge graph (``resources/kg``) or the one in ``kg_dir``."""
    from .. import paths
    from ..io.kg import KnowledgeGraph

    folder = Path(kg_dir) if kg_dir is not None else paths.resources_dir() / "kg"
    if not folder.exists():
        from ..errors import InputError

        raise InputError(
            folder,
            "knowledge graph folder not found; build it with "
            "`synleaf resources build --data ../shared/data --only kg`",
        )
    return KnowledgeGraph.load(folder)
