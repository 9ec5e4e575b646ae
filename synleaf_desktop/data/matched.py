"""Generated negatives matched on annotation count (DESIGN §6).

The paper's random negatives (METHOD §1.8) are pairs of genes drawn uniformly from the
universe (CV1) or from the SL-gene pools (CV2/CV3). SL genes are well studied and richly
annotated, so with uniform negatives "has many GO terms / pathways" alone separates the
classes. The ``"matched"`` scheme draws each generated negative so that the annotation
counts of its two genes follow those of the positive pairs:

1. every gene's *annotation degree* is the number of distinct non-gene KG entities
   (GO terms, pathways) linked to it in the context graph (:func:`annotation_degree`);
2. the degrees of the positive pairs' genes (each occurrence counted, so a gene in 40
   positive pairs weighs 40 times) define degree bins (:func:`degree_bin_edges`): by
   default (:data:`N_BINS` = ``None``) one bin per distinct positive degree, every gene
   going to the nearest one; with an integer ``n_bins``, equal-mass quantile bins;
3. a negative is drawn by picking a positive *template* pair uniformly, then one gene
   uniformly from ``pool_a`` in the degree group of the template's first gene and one from
   ``pool_b`` in the group of its second gene, where a pool's *groups* are runs of
   consecutive bins merged until each holds :data:`MIN_GROUP_GENES` pool genes
   (:func:`merge_bins`; a bin with no pool gene so joins a neighbour). So the joint
   (gene 1, gene 2) degree distribution of generated negatives follows that of the
   positives, up to the group width.

Rejection is the same as for random negatives (:func:`.pairs.draw_negatives`): no
self-pairs, no key in ``forbidden_keys`` (known pairs in either order, pairs already
placed), no duplicates. Small candidate spaces are enumerated exactly and sampled
without replacement in proportion to the matched probability (Gumbel top-k); candidates
of zero matched probability are used only when the others run out, so the matched scheme
never has a larger shortfall than the random one. Everything draws from the
:class:`numpy.random.Generator` passed in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .pairs import (
    ENUM_LIMIT,
    draw_negatives,
    in_sorted,
    keys_to_pairs,
    pair_keys,
    rejection_sample,
)

#: the negative-sampling schemes a context can be built with.
SCHEMES: tuple[str, ...] = ("random", "matched")

#: per pool, degree bins are merged until each group holds at least this many genes.
MIN_GROUP_GENES = 5

#: degree bins: ``None`` = one per distinct positive-gene degree (nearest-degree matching);
#: an int = that many quantile bins. Measured on the built contexts (KS statistic between
#: the degrees of generated and positive genes, as many negatives drawn as there are
#: positives from the whole universe, 3 seeds; random negatives: pan 0.31, BRCA 0.48):
#: ``None`` with groups of >= 5 genes: pan 0.006-0.007, BRCA 0.050-0.061; >= 1 gene (no
#: merging): pan 0.005-0.009, BRCA the same, but 0.08 on the synthetic test data where
#: many degrees are unique; 20 quantile bins: pan 0.018-0.020, BRCA 0.10-0.12.
N_BINS: int | None = None

DEGREE_RULE = "distinct non-gene KG entities (GO terms, KEGG pathways) linked to the gene in the context graph"


def check_scheme(negatives: str) -> str:
    """``negatives`` if it is a known scheme, else ``ValueError`` naming the choices."""
    if negatives not in SCHEMES:
        raise ValueError(
            f"unknown negative-sampling scheme {negatives!r}; choose from {', '.join(SCHEMES)}"
        )
    return negatives


def annotation_degree(kg: Any, num_genes: int | None = None) -> np.ndarray:
    """Annotation count of every universe gene.

    Args:
        kg: a :class:`~synleaf_desktop.data.context.ContextKG` (``gene_entity`` [G],
            ``edge_index`` [2, E], ``entity_types`` [N], ``type_names``).
        num_genes: G (default ``len(kg.gene_entity)``).

    Returns:
        int64 [G]: distinct non-gene entities linked to each gene by an edge in either
        direction (forward and reverse edges of one link count once).
    """
    gene_entity = np.asarray(kg.gene_entity, dtype=np.int64)
    g = len(gene_entity) if num_genes is None else int(num_genes)
    n_ent = int(kg.num_entities)
    ent_to_gene = np.full(n_ent, -1, dtype=np.int64)
    ent_to_gene[gene_entity] = np.arange(len(gene_entity))
    gene_types = [i for i, t in enumerate(kg.type_names) if str(t).lower() == "gene"]
    types = np.asarray(kg.entity_types)
    is_gene_ent = np.isin(types, gene_types) if gene_types else ent_to_gene >= 0
    src, dst = np.asarray(kg.edge_index, dtype=np.int64)
    links = []
    for a, b in ((src, dst), (dst, src)):
        keep = (ent_to_gene[a] >= 0) & ~is_gene_ent[b]
        links.append(ent_to_gene[a[keep]] * np.int64(n_ent) + b[keep])
    uniq = np.unique(np.concatenate(links)) if links else np.empty(0, dtype=np.int64)
    return np.bincount(uniq // np.int64(n_ent), minlength=g).astype(np.int64)


def degree_bin_edges(ref_degrees: np.ndarray, n_bins: int | None = N_BINS) -> np.ndarray:
    """Inner bin edges (float, increasing); a degree ``d`` falls in bin
    ``searchsorted(edges, d, side="right")``.

    ``n_bins`` an int: the distinct ``1/n_bins ... (n_bins-1)/n_bins`` quantiles of
    ``ref_degrees`` (equal-mass bins; ties merge bins). ``None``: one bin per distinct
    value of ``ref_degrees``, edges half-way between consecutive values (every degree goes
    to the nearest reference value).
    """
    ref = np.asarray(ref_degrees, dtype=np.float64)
    if len(ref) == 0 or (n_bins is not None and n_bins <= 1):
        return np.empty(0, dtype=np.float64)
    if n_bins is None:
        v = np.unique(ref)
        return (v[:-1] + v[1:]) / 2.0
    return np.unique(np.quantile(ref, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))


def _bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.searchsorted(edges, np.asarray(values, dtype=np.float64), side="right").astype(
        np.int64
    )


def merge_bins(counts: np.ndarray, min_genes: int) -> np.ndarray:
    """Group consecutive degree bins so that every group holds >= ``min_genes`` genes.

    Args:
        counts: int [B] genes of a pool per bin (bins in degree order).
        min_genes: smallest group size (all genes form one group if there are fewer).

    Returns:
        int64 [B]: group id of every bin, non-decreasing from 0; empty bins join a group.
    """
    counts = np.asarray(counts, dtype=np.int64)
    group = np.zeros(len(counts), dtype=np.int64)
    g, acc = 0, 0
    for i, c in enumerate(counts):
        group[i] = g
        acc += int(c)
        if acc >= min_genes:
            g, acc = g + 1, 0
    last = int(group[-1]) if len(group) else 0
    if g == last and last > 0:  # the last group stayed under min_genes: join the one before it
        group[group == last] = last - 1
    return group


class _Pool:
    """A gene pool grouped by degree: ``genes`` sorted by group, ``start``/``count`` per
    group, ``group[b]``: the group of degree bin ``b`` (:func:`merge_bins`)."""

    def __init__(
        self, genes: np.ndarray, gene_bins: np.ndarray, n_bins: int, min_genes: int
    ) -> None:
        self.group = merge_bins(np.bincount(gene_bins, minlength=n_bins), min_genes)
        gene_groups = self.group[gene_bins]
        order = np.argsort(gene_groups, kind="stable")
        self.genes = genes[order]
        self.gene_group = gene_groups[order]
        self.count = np.bincount(gene_groups, minlength=int(self.group[-1]) + 1).astype(np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]]).astype(np.int64)

    def draw(self, bins: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        g = self.group[bins]
        return self.genes[self.start[g] + rng.integers(0, self.count[g])]


def _orient_templates(templates: np.ndarray, pool_a: np.ndarray, pool_b: np.ndarray) -> np.ndarray:
    """Templates [P, 2] with each pair swapped when that puts gene 1 in ``pool_a`` and
    gene 2 in ``pool_b`` (e.g. CV2 validation positives written as (V, A))."""
    t = np.asarray(templates, dtype=np.int64).reshape(-1, 2)
    in_a = lambda x: in_sorted(x, pool_a)  # noqa: E731
    in_b = lambda x: in_sorted(x, pool_b)  # noqa: E731
    swap = ~(in_a(t[:, 0]) & in_b(t[:, 1])) & in_a(t[:, 1]) & in_b(t[:, 0])
    out = t.copy()
    out[swap] = t[swap][:, ::-1]
    return out


def draw_matched_negatives(
    pool_a: np.ndarray,
    pool_b: np.ndarray,
    need: int,
    forbidden_keys: np.ndarray,
    rng: np.random.Generator,
    degree: np.ndarray,
    templates: np.ndarray,
    n_bins: int | None = N_BINS,
    min_genes: int = MIN_GROUP_GENES,
) -> tuple[np.ndarray, str]:
    """Draw ``need`` distinct pairs (one gene per pool) matched on annotation degree.

    Args:
        pool_a, pool_b: int arrays of gene indices (may overlap or be equal).
        need: number of pairs wanted (>= 0).
        forbidden_keys: int64 keys (:func:`.pairs.pair_keys`) that must not be produced.
        rng: the generator to draw from.
        degree: int [G] annotation degree of every universe gene (:func:`annotation_degree`).
        templates: int [P, 2] positive pairs whose gene degrees are to be matched.
        n_bins: degree bins (:func:`degree_bin_edges`; default one per distinct template degree).
        min_genes: per pool, consecutive bins are merged until each group holds at least
            this many genes (:func:`merge_bins`), so that a template gene whose degree is
            unique does not force that very gene into the negative.

    Returns:
        (pairs int64 [m, 2] as (lo, hi), method) with ``m <= need``; method is
        ``"matched-enumerate"``, ``"matched-sample"``, or ``"matched-sample+random"``
        when matched sampling hit its round limit and uniform sampling
        (:func:`.pairs.draw_negatives`) drew the rest.
    """
    pool_a = np.unique(np.asarray(pool_a, dtype=np.int64))
    pool_b = np.unique(np.asarray(pool_b, dtype=np.int64))
    templates = np.asarray(templates, dtype=np.int64).reshape(-1, 2)
    if need <= 0 or len(pool_a) == 0 or len(pool_b) == 0:
        return np.empty((0, 2), dtype=np.int64), "equal" if need <= 0 else "matched-enumerate"
    if len(templates) == 0:  # nothing to match: plain random negatives
        drawn, method = draw_negatives(pool_a, pool_b, need, forbidden_keys, rng)
        return drawn, f"random-{method}"
    degree = np.asarray(degree)
    forbidden = np.unique(np.asarray(forbidden_keys, dtype=np.int64))
    templates = _orient_templates(templates, pool_a, pool_b)
    edges = degree_bin_edges(degree[templates.ravel()], n_bins)
    nb = len(edges) + 1
    t_bins = _bins(degree[templates], edges)  # [P, 2]
    pa = _Pool(pool_a, _bins(degree[pool_a], edges), nb, min_genes)
    pb = _Pool(pool_b, _bins(degree[pool_b], edges), nb, min_genes)

    if len(pool_a) * len(pool_b) <= ENUM_LIMIT:
        # exact: probability of ordered (a, b) = J[group a, group b] / (n_a[group a] n_b[group b])
        joint = np.zeros((len(pa.count), len(pb.count)))
        np.add.at(joint, (pa.group[t_bins[:, 0]], pb.group[t_bins[:, 1]]), 1.0 / len(templates))
        ga = np.repeat(pa.gene_group, len(pool_b))
        gb = np.tile(pb.gene_group, len(pool_a))
        a = np.repeat(pa.genes, len(pool_b))
        b = np.tile(pb.genes, len(pool_a))
        ok = a != b
        a, b, ga, gb = a[ok], b[ok], ga[ok], gb[ok]
        p = joint[ga, gb] / (pa.count[ga] * pb.count[gb])
        keys, inv = np.unique(pair_keys(a, b), return_inverse=True)
        w = np.bincount(inv, weights=p, minlength=len(keys))
        allowed = ~in_sorted(keys, forbidden)
        keys, w = keys[allowed], w[allowed]
        score = np.full(len(keys), -np.inf)
        pos = w > 0
        score[pos] = np.log(w[pos]) + rng.gumbel(size=int(pos.sum()))
        tie = rng.random(len(keys))  # random order among zero-probability candidates
        order = np.lexsort((tie, -score))
        return keys_to_pairs(keys[order[:need]]), "matched-enumerate"

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        t = rng.integers(0, len(templates), size=m)
        a = pa.draw(t_bins[t, 0], rng)
        return a, pb.draw(t_bins[t, 1], rng)

    accepted = rejection_sample(draw, need, forbidden)
    method = "matched-sample"
    missing = need - len(accepted)
    if missing > 0:
        rest, _ = draw_negatives(
            pool_a, pool_b, missing, np.concatenate([forbidden, accepted]), rng
        )
        accepted = np.concatenate([accepted, pair_keys(rest[:, 0], rest[:, 1])])
        method = "matched-sample+random"
    return keys_to_pairs(accepted), method


def degree_ks(degree: np.ndarray, genes_x: np.ndarray, genes_y: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic between the annotation degrees of two gene
    lists (e.g. every gene occurrence in positive pairs vs in generated negatives)."""
    from scipy.stats import ks_2samp

    x = np.asarray(degree)[np.asarray(genes_x, dtype=np.int64).ravel()]
    y = np.asarray(degree)[np.asarray(genes_y, dtype=np.int64).ravel()]
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    return float(ks_2samp(x, y).statistic)


def negatives_summary(
    labels: np.ndarray,
    balanced: np.ndarray,
    degree: np.ndarray,
    scheme: str,
    n_bins: int | None = N_BINS,
) -> dict[str, Any]:
    """What a context's negatives look like, for its meta.

    Args:
        labels: int64 [N, 3] labelled pairs (unbalanced).
        balanced: int64 [M, 3] the balanced CV1 pair set (labelled + generated).
        degree: int [G] annotation degree.
        scheme: the scheme used (:data:`SCHEMES`).

    Returns:
        ``{"scheme", "degree", ("bins"), "cv1": {"generated", "ks_generated_vs_positive",
        "ks_labelled_negative_vs_positive", "median_degree": {...}}}``: KS statistics and
        medians over gene occurrences in the pairs.
    """
    labels = np.asarray(labels, dtype=np.int64).reshape(-1, 3)
    balanced = np.asarray(balanced, dtype=np.int64).reshape(-1, 3)
    pos = labels[labels[:, 2] == 1, :2]
    lneg = labels[labels[:, 2] == 0, :2]
    gen = balanced[
        ~np.isin(pair_keys(balanced[:, 0], balanced[:, 1]), pair_keys(labels[:, 0], labels[:, 1]))
    ]
    gen = gen[:, :2]
    deg = np.asarray(degree)

    def med(p: np.ndarray) -> float | None:
        return float(np.median(deg[p.ravel()])) if len(p) else None

    def ks(p: np.ndarray) -> float | None:
        return round(degree_ks(deg, pos, p), 4) if len(p) and len(pos) else None

    out: dict[str, Any] = {"scheme": scheme, "degree": DEGREE_RULE}
    if scheme == "matched":
        out["bins"] = "one per distinct positive-gene degree" if n_bins is None else int(n_bins)
        out["min_group_genes"] = MIN_GROUP_GENES
        out["rule"] = (
            "each generated negative copies the degree bins of a random positive pair "
            "(of the subset being balanced); bins from the positive genes' degrees"
        )
    out["cv1"] = {
        "generated": len(gen),
        "ks_generated_vs_positive": ks(gen),
        "ks_labelled_negative_vs_positive": ks(lneg),
        "median_degree": {
            "positive": med(pos),
            "labelled_negative": med(lneg),
            "generated": med(gen),
            "universe": float(np.median(deg)) if len(deg) else None,
        },
    }
    return out
