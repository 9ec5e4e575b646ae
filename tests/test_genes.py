"""The gene-name resolver on the shipped table."""

from synleaf_desktop.io.genes import default_resolver


def test_symbols_aliases_entrez_case():
    r = default_resolver()
    res = r.resolve_many(
        [
            "BRCA1",
            "brca1",
            "672",
            672,
            "A2BP1",
            "TP53|7157",
            "ENSG00000012048.5",
            "not_a_gene",
            "",
            None,
        ]
    )
    assert list(res.symbols[:7]) == ["BRCA1", "BRCA1", "BRCA1", "BRCA1", "RBFOX1", "TP53", "BRCA1"]
    assert res.symbols[7] is None and res.symbols[8] is None and res.symbols[9] is None
    assert res.unresolved == ["not_a_gene"]
    assert res.changed["A2BP1"] == "RBFOX1"


def test_uniprot_flag():
    r = default_resolver()
    assert r.has_uniprot("BRCA1") and r.is_protein_coding("BRCA1")
