"""The model card of any context opens from the app (Models menu, double-click in the
contexts panel), from MODEL_CARD.md or, when a bundle has none, rendered from its manifest."""

from __future__ import annotations

from pathlib import Path


def test_model_card_from_file_and_from_manifest(window, bundles, qtbot):
    card = Path(bundles) / "OV" / "MODEL_CARD.md"
    card.write_text("# Model card: OV\n\nA card written by the test.\n", encoding="utf-8")
    try:
        dlg = window.show_model_card("OV")
        assert dlg is not None and dlg.windowTitle() == "Model card: OV"
        from PySide6.QtWidgets import QTextBrowser

        text = dlg.findChild(QTextBrowser).toPlainText()
        assert "A card written by the test." in text
        dlg.close()
    finally:
        card.unlink()
    # no MODEL_CARD.md: rendered from manifest.json (selected strategy, limitations)
    dlg = window.show_model_card("BRCA")
    from PySide6.QtWidgets import QTextBrowser

    text = dlg.findChild(QTextBrowser).toPlainText()
    assert "Model card: BRCA" in text and "not calibrated probabilities" in text
    dlg.close()


def test_double_click_in_contexts_panel_opens_the_card(window, qtbot):
    with qtbot.waitSignal(window.contexts.cardRequested, timeout=2000) as sig:
        item = window.contexts._items["pan"]
        window.contexts.tree.itemDoubleClicked.emit(item, 0)
    assert sig.args == ["pan"]
    assert window.card_dialog.windowTitle() == "Model card: pan"
    window.card_dialog.close()
