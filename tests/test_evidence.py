"""Co-inactivation evidence: statistics on hand-checked tables, packing, rules, the store."""

from __future__ import annotations

import gzip
import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synleaf_desktop.data.inactivation import (
    DEEP_DELETION_LOG2,
    amplification,
    damaging_mask,
    deep_deletion,
    evidence_arrays,
    inactivation_from_files,
    nonsilent_mask,
)
from synleaf_desktop.scoring.evidence import (
    EvidenceStore,
    co_inactivation,
    co_inactivation_one_vs_all,
    co_inactivation_pairs,
    pack_bits,
    popcount,
    sentence,
    unpack_bits,
)


def _bits(*rows: list[int]) -> np.ndarray:
    return pack_bits(np.array(rows, dtype=bool))


# ----------------------------------------------------------------------
# statistics


def test_two_by_two_by_hand():
    # N = 10 tumours; A lost in 4 (0-3), B in 5 (3-7), both in 1 (tumour 3).
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [0, 0, 0, 1, 1, 1, 1, 1, 0, 0]
    bits = _bits(a, b)
    ev = co_inactivation(bits[0], bits[1], 10)
    assert (ev["n_a"], ev["n_b"], ev["n_both"]) == (4, 5, 1)
    assert ev["expected"] == pytest.approx(4 * 5 / 10)  # 2.0
    # X ~ Hypergeometric(N=10, K=4, n=5): P(X <= 1) = [C(4,0) C(6,5) + C(4,1) C(6,4)] / C(10,5)
    #                                              = (1*6 + 4*15) / 252 = 66 / 252
    assert ev["p_depletion"] == pytest.approx(66 / 252, rel=1e-12)
    # P(X >= 1) = 1 - C(4,0) C(6,5) / C(10,5) = 246 / 252
    assert ev["p_cooccurrence"] == pytest.approx(246 / 252, rel=1e-12)
    # cells + 0.5: both 1.5, A only 3.5, B only 4.5, neither 10-4-5+1 = 2 -> 2.5
    assert ev["log_or"] == pytest.approx(math.log(1.5 * 2.5 / (3.5 * 4.5)), rel=1e-12)  # -1.4351
    assert ev["score"] == pytest.approx(math.log10(246 / 252) - math.log10(66 / 252))
    assert ev["score"] > 0  # fewer than expected: depletion side


def test_complete_exclusivity_by_hand():
    # N = 6, A in 3, B in 3, never together: P(X <= 0) = C(3,0) C(3,3) / C(6,3) = 1/20
    bits = _bits([1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1])
    ev = co_inactivation(bits[0], bits[1], 6)
    assert ev["n_both"] == 0 and ev["expected"] == pytest.approx(1.5)
    assert ev["p_depletion"] == pytest.approx(1 / 20)


def test_no_evidence_never_or_always_inactivated():
    never = _bits([0, 0, 0, 0, 0], [1, 0, 1, 0, 0])
    assert co_inactivation(never[0], never[1], 5) is None
    always = _bits([1, 1, 1, 1, 1], [1, 0, 1, 0, 0])
    assert co_inactivation(always[0], always[1], 5) is None
    line = sentence("BRCA1", "RAD51", None, n_samples=5, n_a=0, n_b=2)
    assert "no co-inactivation evidence" in line and "BRCA1 is not inactivated" in line
    pairs = co_inactivation_pairs(never, np.array([[0, 1]]), 5)
    assert not pairs["valid"][0] and pairs["score"][0] == 0.0 and np.isnan(pairs["p_depletion"][0])


def test_sentence_format():
    ev = {"n_a": 41, "n_b": 12, "n_both": 0, "expected": 1.94, "p_depletion": 0.1312}
    assert (
        sentence("BRCA1", "RAD51", ev)
        == "BRCA1 lost in 41 tumours, RAD51 in 12, both in 0; 1.9 expected; p = 0.13"
    )
    ev["p_depletion"] = 3.2e-5
    assert sentence("BRCA1", "RAD51", ev).endswith("p = 3.2e-05")


# ----------------------------------------------------------------------
# packing and the vectorised forms


@settings(max_examples=50, deadline=None, database=None)
@given(st.integers(1, 6), st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_pack_roundtrip(g, s, seed):
    m = np.random.default_rng(seed).random((g, s)) < 0.3
    bits = pack_bits(m)
    assert bits.shape == (g, -(-s // 8)) and bits.dtype == np.uint8
    assert np.array_equal(unpack_bits(bits, s), m)
    assert np.array_equal(popcount(bits), m.sum(axis=1))


@settings(max_examples=30, deadline=None, database=None)
@given(st.integers(2, 8), st.integers(2, 30), st.integers(0, 2**31 - 1))
def test_vectorised_equals_scalar(g, s, seed):
    m = np.random.default_rng(seed).random((g, s)) < 0.4
    bits = pack_bits(m)
    one = co_inactivation_one_vs_all(bits, 0, s)
    pairs = np.array([[0, j] for j in range(g)])
    many = co_inactivation_pairs(bits, pairs, s)
    for j in range(g):
        ev = co_inactivation(bits[0], bits[j], s)
        assert (ev is None) == (not one["valid"][j]) == (not many["valid"][j])
        assert one["n_both"][j] == many["n_both"][j] == int((m[0] & m[j]).sum())
        if ev is not None:
            assert one["p_depletion"][j] == pytest.approx(ev["p_depletion"])
            assert many["log_or"][j] == pytest.approx(ev["log_or"])


def test_one_vs_all_genome_sized():
    """One gene against 18k genes x 1000 tumours, checked against a brute-force count (its speed
    is a benchmark figure, not a test: CI machines are shared)."""
    rng = np.random.default_rng(0)
    m = rng.random((18000, 1000)) < 0.02
    bits = pack_bits(m)
    counts = popcount(bits)
    out = co_inactivation_one_vs_all(bits, 5, 1000, counts)
    np.testing.assert_array_equal(out["n_both"], (m & m[5]).sum(axis=1))
    np.testing.assert_array_equal(out["n_b"], m.sum(axis=1))


# ----------------------------------------------------------------------
# inactivation rules


def test_damaging_mutation_rule():
    vc = [
        "Nonsense_Mutation",
        "Frame_Shift_Del",
        "Frame_Shift_Ins",
        "Splice_Site",
        "Splice_Site_SNP",
        "Nonstop_Mutation",
        "Translation_Start_Site",
        "Missense_Mutation",
        "Silent",
        "In_Frame_Del",
        "RNA",
        "De_novo_Start_OutOfFrame",
        "nonsense_mutation",
    ]
    assert damaging_mask(vc).tolist() == [True] * 7 + [False] * 5 + [True]
    # missense counts only with a damaging prediction
    vc2 = ["Missense_Mutation"] * 4 + ["Silent"]
    sift = ["deleterious(0.01)", "tolerated(0.3)", "", "tolerated(0.5)", "deleterious(0)"]
    poly = [
        "benign(0.1)",
        "probably_damaging(0.99)",
        "possibly_damaging(0.6)",
        "benign(0)",
        "probably_damaging(1)",
    ]
    assert damaging_mask(vc2, sift, poly).tolist() == [True, True, True, False, False]
    assert damaging_mask(vc2, sift=sift).tolist() == [True, False, False, False, False]
    assert nonsilent_mask(
        ["Missense_Mutation", "Silent", "Intron", "Nonsense_Mutation"]
    ).tolist() == [True, False, False, True]


def test_deep_deletion_rule():
    seg = np.array([[-1.5, -1.0, -0.99, np.nan, 1.2, 0.9]], dtype=np.float32)
    assert DEEP_DELETION_LOG2 == -1.0
    assert deep_deletion(seg, "seg").tolist() == [[True, False, False, False, False, False]]
    assert amplification(seg, "seg").tolist() == [[False, False, False, False, True, False]]
    disc = np.array([[-2, -1, 0, 1, 2, np.nan]], dtype=np.float32)
    assert deep_deletion(disc, "discrete_cna").tolist() == [
        [True, False, False, False, False, False]
    ]
    assert amplification(disc, "discrete_cna").tolist() == [
        [False, False, False, False, True, False]
    ]
    assert deep_deletion(disc, "linear_cna") is None


def _write(path, text):
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    return path


@pytest.fixture
def small_cohort(tmp_path):
    """S1-S4 mutated (MAF), S2-S5 with discrete copy number; union S1..S5."""
    maf = _write(
        tmp_path / "data_mutations.txt.gz",
        "\n".join(
            [
                "Hugo_Symbol\tEntrez_Gene_Id\tTumor_Sample_Barcode\tVariant_Classification",
                "TP53\t7157\tS1\tNonsense_Mutation",
                "TP53\t7157\tS2\tMissense_Mutation",
                "BRCA1\t672\tS1\tFrame_Shift_Del",
                "BRCA1\t672\tS3\tSilent",
                "PTEN\t5728\tS4\tSplice_Site",
                "PTEN\t5728\tS4\tSplice_Site",
            ]
        )
        + "\n",
    )
    cna = _write(
        tmp_path / "data_cna.txt.gz",
        "\n".join(
            [
                "Hugo_Symbol\tS2\tS3\tS4\tS5",
                "TP53\t0\t-1\t0\t0",
                "BRCA1\t-2\t0\t0\t2",
                "RAD51\t0\t0\t-2\t0",
            ]
        )
        + "\n",
    )
    return inactivation_from_files("toy", (maf, "maf"), (cna, "discrete_cna"))


def test_calls_from_files(small_cohort):
    calls = small_cohort
    assert calls.samples.tolist() == ["S1", "S2", "S3", "S4", "S5"]
    genes = ["BRCA1", "PTEN", "RAD51", "TP53", "MYC"]
    m = calls.matrix(genes)
    assert m.astype(int).tolist() == [
        [
            1,
            1,
            0,
            0,
            0,
        ],  # BRCA1: frameshift S1, deep deletion S2 (silent S3 and +2 S5 do not count)
        [0, 0, 0, 1, 0],  # PTEN: splice site S4 (two rows, one call)
        [0, 0, 0, 1, 0],  # RAD51: deep deletion S4
        [1, 0, 0, 0, 0],  # TP53: nonsense S1 (missense S2 without prediction, -1 in S3: no)
        [0, 0, 0, 0, 0],  # MYC: in neither file
    ]
    # MAF profiles every gene; the CNA matrix only its rows
    assert calls.gene_types(genes).tolist() == [3, 1, 3, 3, 1]
    assert calls.profiled().tolist() == [4, 4, 4, 4, 5]
    counts = calls.profile_counts(genes)
    # mutated (non-silent), damaging, deep deletion, amplification, inactivated
    assert counts[0].tolist() == [1, 1, 1, 1, 2]
    assert counts[3].tolist() == [2, 1, 0, 0, 1]
    assert calls.source["mutation"]["prediction_columns"] is False


def test_evidence_arrays_roundtrip(small_cohort, tmp_path):
    genes = ["BRCA1", "PTEN", "RAD51", "TP53", "NOT_A_GENE"]
    arrays = evidence_arrays(small_cohort, genes)
    assert arrays["inact_bits"].dtype == np.uint8 and arrays["inact_bits"].shape == (5, 1)
    assert arrays["profile_counts"].dtype == np.int32 and arrays["profile_counts"].shape == (5, 5)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as z:
        loaded = {k: z[k] for k in z.files}
    store = EvidenceStore.from_arrays(loaded, genes)
    assert json.loads(str(loaded["meta_json"][()]))["cohort"] == "toy"
    ev = store.pair("BRCA1", "RAD51")  # A in S1,S2; B in S4; N = 5
    assert (ev["n_a"], ev["n_b"], ev["n_both"]) == (2, 1, 0)
    # X ~ Hypergeom(N=5, K=2, n=1): P(X <= 0) = C(2,0) C(3,1) / C(5,1) = 3/5
    assert ev["p_depletion"] == pytest.approx(3 / 5)


def test_store_pair_and_partners(small_cohort):
    genes = ["BRCA1", "PTEN", "RAD51", "TP53", "NOT_A_GENE"]
    store = EvidenceStore.from_arrays(evidence_arrays(small_cohort, genes), genes)
    ev = store.pair("BRCA1", "RAD51")
    assert ev["p_depletion"] == pytest.approx(3 / 5)
    assert store.pair("BRCA1", "NOT_A_GENE") is None
    assert "not inactivated in any tumour" in store.pair_sentence("BRCA1", "NOT_A_GENE")
    assert "not profiled" in store.pair_sentence("BRCA1", "ABSENT")
    assert (
        store.pair_sentence("PTEN", "RAD51")
        == "PTEN lost in 1 tumour, RAD51 in 1, both in 1; 0.2 expected; p = 1.00"
    )
    part = store.partners("BRCA1")
    assert not part["valid"][0] and not part["valid"][4]
    assert part["n_both"][3] == 1  # TP53 and BRCA1 both lost in S1
    prof = store.profile("BRCA1")
    assert prof["deep_deletion"] == {"n": 1, "of": 4, "pct": 25.0}


@given(st.integers(2, 400), st.data())
@settings(max_examples=60, deadline=None)
def test_hypergeom_tails_match_scipy(N, data):
    """The numpy-only tails equal scipy.stats.hypergeom's cdf and sf (issue 12: scoring stays
    numpy-only, so the scorer does not import scipy.stats)."""
    from scipy.stats import hypergeom

    from synleaf_desktop.scoring.evidence import hypergeom_tails

    n_a = data.draw(st.integers(0, N))
    n_b = data.draw(st.integers(0, N))
    ks = np.arange(max(0, n_a + n_b - N) - 1, min(n_a, n_b) + 2)
    le, ge = hypergeom_tails(ks, N, np.full(len(ks), n_a), np.full(len(ks), n_b))
    np.testing.assert_allclose(le, hypergeom.cdf(ks, N, n_a, n_b), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(ge, hypergeom.sf(ks - 1, N, n_a, n_b), rtol=1e-9, atol=1e-14)
