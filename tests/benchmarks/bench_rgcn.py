"""RGCN speed: torch_geometric RGCNConv (full graph) vs the fast layer (needed rows only).

Run: ``python -m tests.benchmarks.bench_rgcn [--kg resources/kg | --context cache/contexts/BRCA]
[--genes 1024] [--threads N] [--skip-pyg]``. Prints the time of one training step
(forward + backward of a 2-layer 128 -> 256 -> 128 encoder with entity embeddings, loss on
the batch genes' outputs), peak RSS, and the max abs difference of the two on a small graph.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.nn import RGCNConv

from synleaf_desktop.model.kg import KGEncoder
from synleaf_desktop.model.rgcn import RelGraph


def load_graph(args) -> tuple[np.ndarray, np.ndarray, int, int, np.ndarray, str]:
    if args.context:
        from synleaf_desktop.data.context import Context

        ctx = Context.load(args.context, omics=False)
        kg = ctx.kg
        return (
            kg.edge_index,
            kg.edge_type,
            kg.num_entities,
            kg.num_relations,
            kg.gene_entity,
            f"context {ctx.name}",
        )
    from synleaf_desktop.io.kg import KnowledgeGraph

    g = KnowledgeGraph.load(args.kg)
    genes = np.flatnonzero(g.entity_types == g.type_names.index("Gene"))
    return g.edge_index, g.edge_type, g.num_entities, g.num_relations, genes, f"graph {args.kg}"


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def step_time(fn, repeats: int) -> float:
    fn()  # warm-up (plan building / caches)
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kg", default="resources/kg")
    ap.add_argument("--context", default=None)
    ap.add_argument("--genes", type=int, default=1024, help="genes in the batch (~2 per pair)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-pyg", action="store_true")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ei, et, n, r, gene_ent, what = load_graph(args)
    print(
        f"{what}: {n} entities, {ei.shape[1]} edges, {r} relations; torch threads {torch.get_num_threads()}"
    )
    rng = np.random.default_rng(0)
    batch = torch.from_numpy(
        np.sort(rng.choice(gene_ent, size=min(args.genes, len(gene_ent)), replace=False))
    )
    t = time.perf_counter()
    graph = RelGraph(ei, et, n, r)
    print(f"RelGraph index build: {time.perf_counter() - t:.3f} s")
    torch.manual_seed(0)
    enc = KGEncoder(n, r, graph=graph).train()
    t = time.perf_counter()
    plan = graph.plan(torch.unique(batch), 2)
    print(
        f"plan for {len(batch)} genes: {time.perf_counter() - t:.3f} s; layer-1 rows {plan.ops[0].n_dst}, "
        f"layer-1 nnz {len(plan.ops[0].vals)}, layer-2 nnz {len(plan.ops[1].vals)}"
    )

    def fast_step():
        enc.zero_grad(set_to_none=True)
        out = enc(batch)
        out.pow(2).mean().backward()

    print(
        f"fast layer, one training step ({len(batch)} genes): {step_time(fast_step, args.repeats):.3f} s "
        f"(plan cached; peak RSS {rss_gb():.2f} GB)"
    )
    graph.clear_cache()

    def fast_step_uncached():
        graph.clear_cache()
        fast_step()

    print(
        f"fast layer, same with plan rebuilt every step: {step_time(fast_step_uncached, args.repeats):.3f} s"
    )
    all_genes = torch.from_numpy(np.sort(gene_ent))
    with torch.no_grad():
        enc.eval()
        t = time.perf_counter()
        enc(all_genes)
        print(
            f"fast layer, eval pass over all {len(all_genes)} genes: {time.perf_counter() - t:.3f} s"
        )
        enc.train()

    if not args.skip_pyg:
        c1, c2 = RGCNConv(128, 256, r), RGCNConv(256, 128, r)
        emb = torch.nn.Embedding(n, 128)
        eit, ett = torch.from_numpy(ei), torch.from_numpy(et)

        def pyg_step():
            for m in (c1, c2, emb):
                m.zero_grad(set_to_none=True)
            h = F.relu(F.dropout(c1(emb.weight, eit, ett), 0.5, True))
            out = c2(h, eit, ett)[batch]
            out.pow(2).mean().backward()

        print(
            f"torch_geometric RGCNConv full graph, one training step: {step_time(pyg_step, 1):.3f} s "
            f"(peak RSS {rss_gb():.2f} GB)"
        )

    # correctness on a small graph
    g = torch.Generator().manual_seed(1)
    ns, es, rs = 300, 3000, 6
    sei = torch.randint(0, ns, (2, es), generator=g)
    set_ = torch.randint(0, rs, (es,), generator=g)
    small = KGEncoder(ns, rs, dims=(16, 32, 16), graph=RelGraph(sei, set_, ns, rs)).eval()
    r1, r2 = RGCNConv(16, 32, rs), RGCNConv(32, 16, rs)
    with torch.no_grad():
        for ref, fast in ((r1, small.convs[0]), (r2, small.convs[1])):
            ref.weight.copy_(fast.weight)
            ref.root.copy_(fast.root)
            ref.bias.copy_(fast.bias)
        ids = torch.arange(0, ns, 7)
        a = small(ids)
        b = r2(F.relu(r1(small.embedding.weight, sei, set_)), sei, set_)[ids]
    print(
        f"max |fast - RGCNConv| on a {ns}-node, {es}-edge graph: {float((a - b).abs().max()):.2e}"
    )
    print(f"peak RSS {rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
