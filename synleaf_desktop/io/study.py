"""Import a cBioPortal-style study (a folder or a list of files) as one cohort.

Files are recognised by their cBioPortal names (:func:`recognise`) or by ``meta_*.txt``
files (``genetic_alteration_type`` / ``datatype`` / ``data_filename``), which take
precedence. When several files give the same omics kind, the preferred format wins
(:data:`FORMAT_PRIORITY`) and the others are listed in the summary.

The resulting :class:`Cohort` holds every chosen omics normalised (METHOD §1.5) and
aligned on the sorted union of sample IDs (missing samples -> 0), each omics with its
own gene list. It can be saved to and loaded from a folder (npz + json, no pickle).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, ReadReport
from ..fileio import atomic_dir, load_npz, read_json, save_npz, write_json
from ..progress import Progress, ensure
from .genes import GeneResolver, default_resolver
from .maf import read_maf
from .matrix import read_matrix
from .normalise import normalise
from .omics import OMICS_KINDS, OmicsMatrix, canonical_order
from .seg import read_seg

#: formats per kind, most preferred first
FORMAT_PRIORITY: dict[str, tuple[str, ...]] = {
    "mut": ("maf", "binary_mutation", "alteration"),
    "cna": ("linear_cna", "log2_cna", "seg", "discrete_cna"),
    "exp": ("rnaseq_zscores", "zscores", "microarray"),
    "myl": ("methylation_hm450", "methylation_hm27"),
}

# (pattern on the lower-case file name without .gz, kind, fmt); first match wins
_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), k, f)
    for p, k, f in (
        (r"^meta_", "", ""),  # meta files describe data files; never data themselves
        (r"^data_mutations.*\.(txt|tsv|maf)$", "mut", "maf"),
        (r"\.maf$", "mut", "maf"),
        (r"^data_mutation_matrix.*\.(txt|tsv)$", "mut", "binary_mutation"),
        (r"^data_alteration_matrix.*\.(txt|tsv)$", "mut", "alteration"),
        (r"(\.seg|_seg\.txt|\.seg\.txt)$", "cna", "seg"),
        (r"^data_linear_cna.*\.(txt|tsv)$", "cna", "linear_cna"),
        (r"^data_log2_?cna.*\.(txt|tsv)$", "cna", "log2_cna"),
        (r"^data_cna\.(txt|tsv)$", "cna", "discrete_cna"),
        (r"^data_(mrna|rna)_seq.*z_?scores.*\.(txt|tsv)$", "exp", "rnaseq_zscores"),
        (r"^data_mrna.*z_?scores.*\.(txt|tsv)$", "exp", "zscores"),
        (r"^data_mrna.*microarray.*\.(txt|tsv)$", "exp", "microarray"),
        (r"^data_methylation_hm450.*\.(txt|tsv)$", "myl", "methylation_hm450"),
        (r"^data_methylation_hm27.*\.(txt|tsv)$", "myl", "methylation_hm27"),
    )
)

EXAMPLE_NAMES = (
    "data_mutations.txt",
    "data_linear_cna.txt",
    "data_cna.txt",
    "data_cna_hg19.seg",
    "data_mrna_seq_v2_rsem_zscores_ref_all_samples.txt",
    "data_mrna_microarray.txt",
    "data_methylation_hm450.txt",
    "data_mutation_matrix.txt",
)


def recognise(path: str | Path) -> tuple[str, str] | None:
    """(kind, fmt) of one file from its cBioPortal file name, or None.

    ``.gz`` is ignored; matching is case-insensitive. Formats: mut: ``maf``,
    ``binary_mutation``, ``alteration``; cna: ``linear_cna``, ``log2_cna``, ``seg``,
    ``discrete_cna``; exp: ``rnaseq_zscores``, ``zscores``, ``microarray``; myl:
    ``methylation_hm450``, ``methylation_hm27``.
    """
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for pattern, kind, fmt in _RULES:
        if pattern.search(name):
            return (kind, fmt) if kind else None
    return None


def _genome_from_name(name: str) -> str:
    return "hg38" if re.search(r"hg38|grch38", name, re.IGNORECASE) else "hg19"


@dataclass(frozen=True)
class _Candidate:
    path: Path
    kind: str
    fmt: str
    genome: str = "hg19"
    via: str = "file name"

    def sort_key(self) -> tuple[int, int, str]:
        rank = FORMAT_PRIORITY[self.kind].index(self.fmt)
        return rank, 0 if "all_samples" in self.path.name.lower() else 1, self.path.name

    def describe(self) -> dict[str, str]:
        return {"file": str(self.path), "fmt": self.fmt, "recognised_by": self.via}


def _read_meta(path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return meta
    for line in text.splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip()
    return meta


def _meta_verdict(meta: dict[str, str]) -> tuple[str, str] | None:
    """(kind, fmt) described by a cBioPortal meta file, or None if not an omics SynLeaF uses."""
    gat = meta.get("genetic_alteration_type", "").upper()
    dt = meta.get("datatype", "").upper()
    hint = (meta.get("stable_id", "") + " " + meta.get("data_filename", "")).lower()
    if gat == "MUTATION_EXTENDED":
        return "mut", "maf"
    if gat == "COPY_NUMBER_ALTERATION":
        return {
            "DISCRETE": ("cna", "discrete_cna"),
            "CONTINUOUS": ("cna", "linear_cna"),
            "LOG2-VALUE": ("cna", "log2_cna"),
            "SEG": ("cna", "seg"),
        }.get(dt)
    if gat == "MRNA_EXPRESSION":
        if dt == "Z-SCORE":
            return ("exp", "rnaseq_zscores") if "rna_seq" in hint else ("exp", "zscores")
        if dt == "CONTINUOUS" and "microarray" in hint:
            return "exp", "microarray"
        return None
    if gat == "METHYLATION":
        return ("myl", "methylation_hm27") if "hm27" in hint else ("myl", "methylation_hm450")
    return None


def _scan(paths: str | Path | Sequence[str | Path]) -> tuple[Path, list[Path], set[Path]]:
    """-> (folder used in messages, data files seen, files named explicitly)."""
    given = [paths] if isinstance(paths, (str, Path)) else paths
    plist = [Path(p) for p in given]
    if not plist:
        raise InputError(None, "no files or folder given")
    files: list[Path] = []
    explicit: set[Path] = set()
    for p in plist:
        if p.is_dir():
            files.extend(
                sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            )
        elif p.is_file():
            files.append(p)
            explicit.add(p.resolve())
        else:
            raise InputError(p, "no such file or folder")
    folder = plist[0] if plist[0].is_dir() else plist[0].parent
    seen: dict[Path, Path] = {}
    for f in files:
        seen.setdefault(f.resolve(), f)
    return folder, list(seen.values()), explicit


def _candidates(files: list[Path]) -> tuple[list[_Candidate], list[Path]]:
    """Recognise data files (meta files first, then names) -> (candidates, unrecognised)."""
    by_meta: dict[Path, _Candidate] = {}
    folders = {f.parent.resolve() for f in files}
    for folder in sorted(folders):
        for meta_path in sorted(folder.glob("meta_*.txt")):
            meta = _read_meta(meta_path)
            data = meta.get("data_filename")
            verdict = _meta_verdict(meta)
            if not data or verdict is None:
                continue
            target = (folder / data).resolve()
            genome = meta.get("reference_genome_id") or _genome_from_name(data)
            by_meta[target] = _Candidate(folder / data, *verdict, genome=genome, via=meta_path.name)
    cands: list[_Candidate] = []
    unrecognised: list[Path] = []
    for f in files:
        if f.name.lower().startswith("meta_"):
            continue
        c = by_meta.get(f.resolve())
        if c is not None:
            cands.append(_Candidate(f, c.kind, c.fmt, c.genome, c.via))
            continue
        hit = recognise(f)
        if hit is None:
            unrecognised.append(f)
        else:
            cands.append(_Candidate(f, *hit, genome=_genome_from_name(f.name)))
    return cands, unrecognised


@dataclass
class Cohort:
    """One cohort's omics, normalised and aligned on a common sample axis.

    Attributes:
        name: display name (e.g. the study folder name).
        samples: object array [S] of str, sorted union of normalised sample IDs.
        omics: kind -> OmicsMatrix [G_kind, S] (normalised, no NaN; each kind has its own
            genes; samples == :attr:`samples`), in :data:`OMICS_KINDS` order.
        files: kind -> file read (None when pooled from several matrices).
        has_data: kind -> bool [S], True for samples present in that omics file (the
            others were filled with 0).
        alternatives: kind -> files of that kind not used (``{"file", "fmt", "recognised_by"}``).
        ignored: files seen in the folder that are not recognised omics files.
    """

    name: str
    samples: np.ndarray
    omics: dict[str, OmicsMatrix]
    files: dict[str, Path | None] = field(default_factory=dict)
    has_data: dict[str, np.ndarray] = field(default_factory=dict)
    alternatives: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    FORMAT = "synleaf-cohort"
    VERSION = 1

    # ------------------------------------------------------------------
    @classmethod
    def from_raw(cls, name: str, raw: dict[str, OmicsMatrix], **extra: Any) -> Cohort:
        """Normalise raw matrices (one per kind) and align them on the union of samples."""
        if not raw:
            raise ValueError("no omics matrices given")
        samples = np.array(
            sorted(set().union(*(m.samples.tolist() for m in raw.values()))), dtype=object
        )
        index = pd.Index(samples)
        omics: dict[str, OmicsMatrix] = {}
        has_data: dict[str, np.ndarray] = {}
        for kind in canonical_order(raw):
            n = normalise(raw[kind])
            cols = index.get_indexer(n.samples)
            values = np.zeros((len(n.genes), len(samples)), dtype=np.float32)
            values[:, cols] = n.values
            mask = np.zeros(len(samples), dtype=bool)
            mask[cols] = True
            omics[kind] = OmicsMatrix(
                kind,
                n.genes,
                samples,
                values,
                source=n.source,
                fmt=n.fmt,
                normalised=True,
                report=n.report,
            )
            has_data[kind] = mask
        files = extra.pop("files", {k: m.source for k, m in omics.items()})
        return cls(name, samples, omics, files=files, has_data=has_data, **extra)

    @classmethod
    def from_matrices(cls, name: str, matrices: Iterable[OmicsMatrix]) -> Cohort:
        """Pool raw matrices (e.g. several cancers for pan-cancer) into one cohort.

        Matrices of the same kind are concatenated over their samples, which must be
        disjoint; genes are the union (a gene missing from one matrix is 0 there after
        normalisation). Normalisation runs on the pooled matrix (so the mutation maximum
        is the pooled one), then all kinds are aligned on the union of samples.

        Raises:
            ValueError: a matrix is already normalised, or two matrices of one kind share samples.
        """
        groups: dict[str, list[OmicsMatrix]] = {}
        for m in matrices:
            if m.normalised:
                raise ValueError(f"{m.source or m.kind}: pass raw matrices, not normalised ones")
            groups.setdefault(m.kind, []).append(m)
        raw = {k: (ms[0] if len(ms) == 1 else _concat(ms)) for k, ms in groups.items()}
        return cls.from_raw(name, raw)

    # ------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """What was imported, for previews, ``synleaf inspect`` and logs (JSON-serialisable)."""
        omics: dict[str, Any] = {}
        warnings: list[str] = []
        unresolved: dict[str, int] = {}
        for kind, m in self.omics.items():
            src = str(self.files.get(kind) or m.source or f"{kind} (pooled)")
            omics[kind] = {
                "file": str(self.files.get(kind)) if self.files.get(kind) else None,
                "fmt": m.fmt,
                "genes": len(m.genes),
                "samples_with_data": int(self.has_data[kind].sum())
                if kind in self.has_data
                else len(m.samples),
                "rows_read": int(m.report.n_rows),
                "unresolved": len(m.report.unresolved),
                "unresolved_examples": list(m.report.unresolved[:20]),
                "warnings": list(m.report.warnings),
            }
            unresolved[src] = len(m.report.unresolved)
            warnings.extend(f"{Path(src).name}: {w}" for w in m.report.warnings)
        return {
            "name": self.name,
            "samples": len(self.samples),
            "omics": omics,
            "unresolved": unresolved,
            "warnings": warnings,
            "alternatives_not_used": {k: list(v) for k, v in self.alternatives.items() if v},
            "ignored_files": list(self.ignored),
        }

    # ------------------------------------------------------------------
    def save(self, folder: str | Path, compress: bool = True) -> Path:
        """Write the cohort to ``folder`` (replaced atomically): ``cohort.json`` + ``cohort.npz``."""
        folder = Path(folder)
        arrays: dict[str, np.ndarray] = {"samples": np.asarray(self.samples, dtype=str)}
        meta: dict[str, Any] = {
            "format": self.FORMAT,
            "version": self.VERSION,
            "name": self.name,
            "kinds": list(self.omics),
            "omics": {},
            "alternatives": self.alternatives,
            "ignored": self.ignored,
        }
        for kind, m in self.omics.items():
            arrays[f"{kind}_genes"] = np.asarray(m.genes, dtype=str)
            arrays[f"{kind}_values"] = np.asarray(m.values, dtype=np.float32)
            arrays[f"{kind}_has_data"] = self.has_data.get(
                kind, np.ones(len(self.samples), dtype=bool)
            )
            r = m.report
            meta["omics"][kind] = {
                "fmt": m.fmt,
                "file": str(self.files[kind]) if self.files.get(kind) else None,
                "report": {
                    "path": str(r.path) if r.path else None,
                    "warnings": r.warnings,
                    "unresolved": r.unresolved,
                    "n_rows": r.n_rows,
                },
            }
        with atomic_dir(folder) as tmp:
            save_npz(tmp / "cohort.npz", compress=compress, **arrays)
            write_json(tmp / "cohort.json", meta)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Cohort:
        """Read a cohort written by :meth:`save`.

        Raises:
            InputError: the folder does not hold a readable saved cohort.
        """
        folder = Path(folder)
        try:
            meta = read_json(folder / "cohort.json")
            arrays = load_npz(folder / "cohort.npz")
        except (OSError, ValueError) as exc:
            raise InputError(
                folder, f"not a saved cohort, or it is damaged ({exc}); import the study again"
            ) from exc
        if meta.get("format") != cls.FORMAT or meta.get("version") != cls.VERSION:
            raise InputError(
                folder,
                f"not a saved cohort of this version (format {meta.get('format')!r}, "
                f"version {meta.get('version')!r}); import the study again",
            )
        try:
            samples = arrays["samples"].astype(object)
            omics, files, has_data = {}, {}, {}
            for kind in meta["kinds"]:
                info = meta["omics"][kind]
                r = info["report"]
                report = ReadReport(
                    Path(r["path"]) if r["path"] else None,
                    list(r["warnings"]),
                    list(r["unresolved"]),
                    int(r["n_rows"]),
                )
                files[kind] = Path(info["file"]) if info["file"] else None
                omics[kind] = OmicsMatrix(
                    kind,
                    arrays[f"{kind}_genes"].astype(object),
                    samples,
                    arrays[f"{kind}_values"].astype(np.float32, copy=False),
                    source=files[kind],
                    fmt=info["fmt"],
                    normalised=True,
                    report=report,
                )
                has_data[kind] = arrays[f"{kind}_has_data"].astype(bool)
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(
                folder, f"saved cohort is incomplete or damaged ({exc}); import the study again"
            ) from exc
        return cls(
            meta["name"],
            samples,
            omics,
            files=files,
            has_data=has_data,
            alternatives=meta.get("alternatives", {}),
            ignored=meta.get("ignored", []),
        )


def _concat(ms: list[OmicsMatrix]) -> OmicsMatrix:
    """Concatenate raw matrices of one kind over disjoint samples (gene union, NaN elsewhere)."""
    counts = Counter(s for m in ms for s in m.samples.tolist())
    shared = [s for s, n in counts.items() if n > 1]
    if shared:
        raise ValueError(
            f"{len(shared)} samples occur in more than one {ms[0].kind} matrix "
            f"(e.g. {', '.join(shared[:5])}); pooled cohorts must have disjoint samples"
        )
    genes = np.array(sorted(set().union(*(m.genes.tolist() for m in ms))), dtype=object)
    samples = np.array(sorted(counts), dtype=object)
    g_index, s_index = pd.Index(genes), pd.Index(samples)
    values = np.full((len(genes), len(samples)), np.nan, dtype=np.float32)
    for m in ms:
        values[np.ix_(g_index.get_indexer(m.genes), s_index.get_indexer(m.samples))] = m.values
    report = ReadReport(
        None,
        [
            f"pooled from {len(ms)} matrices: "
            + ", ".join(str(m.source.name) if m.source else "(in memory)" for m in ms)
        ],
        list(dict.fromkeys(u for m in ms for u in m.report.unresolved)),
        sum(m.report.n_rows for m in ms),
    )
    for m in ms:
        name = m.source.name if m.source else "(in memory)"
        report.warnings.extend(f"{name}: {w}" for w in m.report.warnings)
    fmts = sorted({m.fmt for m in ms})
    return OmicsMatrix(
        ms[0].kind, genes, samples, values, source=None, fmt="+".join(fmts), report=report
    )


def read_file(
    path: str | Path,
    kind: str,
    fmt: str,
    resolver: GeneResolver | None = None,
    genome: str = "hg19",
) -> OmicsMatrix:
    """Read one omics file of a known kind and format into a raw OmicsMatrix."""
    if fmt == "maf":
        return read_maf(path, resolver).counts()
    if fmt == "seg":
        return read_seg(path, genome=genome, resolver=resolver)
    return read_matrix(path, kind, resolver, fmt=fmt)


def read_study(
    paths: str | Path | Sequence[str | Path],
    resolver: GeneResolver | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> Cohort:
    """Import a study folder (or a list of files) as a :class:`Cohort`.

    Args:
        paths: a folder, one file, or a list of files and/or folders (folders are not
            searched recursively).
        resolver: gene-name resolver (default: the shipped one).
        progress: receives ``update`` between files; cancelling stops before the next file
            (raises :class:`~synleaf_desktop.errors.CancelledError`).
        name: cohort name (default: the folder name).

    Raises:
        InputError: nothing recognisable, an explicitly named file not recognised, or any
            reader error (naming the file). Nothing is kept on error.
    """
    progress = ensure(progress)
    folder, files, explicit = _scan(paths)
    cands, unrecognised = _candidates(files)
    bad = [f for f in unrecognised if f.resolve() in explicit]
    if bad:
        raise InputError(
            bad[0],
            f"not a recognised omics file; expected cBioPortal file names such as "
            f"{', '.join(EXAMPLE_NAMES)} (or a meta_*.txt file describing it)",
        )
    if not cands:
        seen = ", ".join(f.name for f in files[:20]) + (
            f", ... ({len(files) - 20} more)" if len(files) > 20 else ""
        )
        raise InputError(
            folder,
            f"no recognisable omics file (saw: {seen or 'no files'}). Expected cBioPortal "
            f"file names such as {', '.join(EXAMPLE_NAMES)} (or meta_*.txt files describing them)",
        )
    chosen: dict[str, _Candidate] = {}
    alternatives: dict[str, list[dict[str, str]]] = {}
    for kind in OMICS_KINDS:
        of_kind = sorted((c for c in cands if c.kind == kind), key=_Candidate.sort_key)
        if of_kind:
            chosen[kind] = of_kind[0]
            alternatives[kind] = [c.describe() for c in of_kind[1:]]
    resolver = resolver or default_resolver()
    raw: dict[str, OmicsMatrix] = {}
    n = len(chosen)
    for i, (kind, c) in enumerate(chosen.items()):
        progress.update(i / n, f"reading {c.path.name}", kind=kind, file=str(c.path))
        raw[kind] = read_file(c.path, kind, c.fmt, resolver, c.genome)
    progress.update(n / (n + 0.5), "aligning samples")
    cohort = Cohort.from_raw(
        name or folder.resolve().name,
        raw,
        files={k: c.path for k, c in chosen.items()},
        alternatives=alternatives,
        ignored=[str(f) for f in unrecognised],
    )
    progress.update(1.0, "done", force=True)
    return cohort
