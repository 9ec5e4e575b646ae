"""The query bar: two genes, one gene's top partners, or a gene list.

Gene fields complete symbols, aliases and Entrez IDs (from the resolver's
``completions()``, loaded in the background at start-up); the pop-up shows what each stands
for, e.g. "BRCA1 — BRCA1 DNA repair associated", "FANCS — alias of BRCA1: ...". Pressing
Enter runs the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MODES = ("pair", "partners", "list")
_SPLIT = re.compile(r"[\s,;]+")
#: most genes accepted in a gene list (all pairs among them are scored)
MAX_LIST_GENES = 500


def parse_gene_list(text: str) -> dict[str, Any]:
    """Read a pasted or loaded gene list.

    Every non-empty line with exactly two names -> those pairs (``{"pairs": [(a, b), ...]}``);
    otherwise all names are one gene list (``{"genes": [...]}``), whose pairs are all scored.
    Lines starting with ``#`` and a header line such as ``gene1 gene2`` are skipped.
    """
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        toks = [t.strip("\"'") for t in _SPLIT.split(line) if t.strip("\"'")]
        if toks:
            lines.append(toks)
    if lines and all(
        t.lower()
        in {"gene", "gene1", "gene2", "gene_a", "gene_b", "genea", "geneb", "symbol", "hugo_symbol"}
        for t in lines[0]
    ):
        lines = lines[1:]
    if lines and all(len(t) == 2 for t in lines) and (len(lines) > 1 or len(lines[0]) == 2):
        return {"pairs": [(a, b) for a, b in lines]}
    genes: list[str] = []
    seen: set[str] = set()
    for toks in lines:
        for t in toks:
            if t.upper() not in seen:
                seen.add(t.upper())
                genes.append(t)
    return {"genes": genes}


#: width of the completion pop-up: room for a symbol and its full name
POPUP_WIDTH = 460


class DescribedDelegate(QStyledItemDelegate):
    """Draws a completion as "BRCA1 — BRCA1 DNA repair associated": the model keeps the bare
    name (what is matched and inserted); ``describe(name)`` gives the rest, asked only for the
    rows on screen."""

    def __init__(self, describe: Callable[[str], str] | None, parent=None) -> None:
        super().__init__(parent)
        self.describe = describe

    def text_for(self, name: str) -> str:
        desc = ""
        if self.describe is not None and name:
            try:
                desc = self.describe(name) or ""
            except Exception:
                desc = ""
        return f"{name}  \u2014  {desc}" if desc else name

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.text = self.text_for(str(index.data() or ""))


class GeneField(QLineEdit):
    def __init__(self, placeholder: str, parent=None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(130)
        self.setMaximumWidth(220)


class QueryBar(QWidget):
    """Signals:
    queryRequested(query: dict): ``{"mode": "pair", "genes": [a, b]}``,
        ``{"mode": "partners", "gene": g, "top": n}`` or
        ``{"mode": "list", "pairs": [...]}`` / ``{"mode": "list", "genes": [...]}``.
    loadListRequested(): the user wants to load a gene-list file.
    """

    queryRequested = Signal(dict)
    loadListRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.completer_model = QStringListModel(self)
        self.describe: Callable[[str], str] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(6)

        modes = QHBoxLayout()
        modes.setSpacing(0)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QToolButton] = {}
        for i, (mode, text, tip) in enumerate(
            (
                ("pair", "Two genes", "Score one gene pair in every context"),
                ("partners", "Partners of a gene", "Find the genes most likely SL with one gene"),
                ("list", "Gene list", "Score many pairs: paste or load a list of genes or pairs"),
            )
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setMinimumWidth(120)
            b.setStyleSheet(
                "QToolButton { padding: 5px 10px; border: 1px solid #adb5bd; background: #f8f9fa; }"
                "QToolButton:checked { background: #266eb4; color: white; border-color: #1d5a94; }"
            )
            self.mode_group.addButton(b, i)
            self.mode_buttons[mode] = b
            modes.addWidget(b)
        modes.addSpacing(16)
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        modes.addWidget(self.status, 1)
        #: Back / Forward / Recent buttons (the main window fills it)
        self.nav_layout = QHBoxLayout()
        self.nav_layout.setSpacing(2)
        modes.addLayout(self.nav_layout)
        outer.addLayout(modes)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        # pair
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        self.gene_a = GeneField("e.g. PARP1")
        self.gene_b = GeneField("e.g. BRCA1")
        self.swap_btn = QToolButton()
        self.swap_btn.setText("⇄")
        self.swap_btn.setToolTip("Swap the two genes")
        self.pair_btn = QPushButton("Score pair")
        self.pair_btn.setObjectName("primary")
        row.addWidget(QLabel("Gene A"))
        row.addWidget(self.gene_a)
        row.addWidget(self.swap_btn)
        row.addWidget(QLabel("Gene B"))
        row.addWidget(self.gene_b)
        row.addWidget(self.pair_btn)
        row.addStretch(1)
        self.stack.addWidget(w)

        # partners
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        self.partner_gene = GeneField("e.g. ATR")
        self.top_n = QSpinBox()
        self.top_n.setRange(5, 200)
        self.top_n.setValue(25)
        self.top_n.setToolTip("How many partners to show")
        self.partners_btn = QPushButton("Find partners")
        self.partners_btn.setObjectName("primary")
        row.addWidget(QLabel("Gene"))
        row.addWidget(self.partner_gene)
        row.addWidget(QLabel("top"))
        row.addWidget(self.top_n)
        row.addWidget(self.partners_btn)
        hint = QLabel("ranked by genome-wide rank")
        hint.setToolTip(
            "Partners are ranked by their mean genome-wide percentile over the ticked contexts (the "
            "same rule as `synleaf partners`; a partner outside some contexts is averaged over the "
            "others, and ranks after those scored in at least half of them). 'Partners by: rank above "
            "typical' discounts hub genes that rank high with everything."
        )
        hint.setObjectName("hint")
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(hint, 1)
        row.addStretch(1)
        self.stack.addWidget(w)

        # list
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        self.list_edit = QPlainTextEdit()
        self.list_edit.setPlaceholderText(
            "One gene per line (all pairs among them are scored), "
            "or two genes per line (just those pairs). "
            "Spaces, tabs or commas separate names."
        )
        self.list_edit.setFixedHeight(62)
        self.load_btn = QPushButton("Load file…")
        self.load_btn.setToolTip("Read genes or pairs from a text, CSV or TSV file")
        self.list_btn = QPushButton("Score list")
        self.list_btn.setObjectName("primary")
        row.addWidget(self.list_edit, 1)
        col = QVBoxLayout()
        col.addWidget(self.list_btn)
        col.addWidget(self.load_btn)
        row.addLayout(col)
        self.stack.addWidget(w)

        for f in (self.gene_a, self.gene_b, self.partner_gene):
            self._attach_completer(f)
        self.mode_group.idClicked.connect(self.set_mode_index)
        self.swap_btn.clicked.connect(self._swap)
        self.pair_btn.clicked.connect(self.request_pair)
        self.gene_a.returnPressed.connect(self._pair_enter)
        self.gene_b.returnPressed.connect(self.request_pair)
        self.partners_btn.clicked.connect(self.request_partners)
        self.partner_gene.returnPressed.connect(self.request_partners)
        self.list_btn.clicked.connect(self.request_list)
        self.load_btn.clicked.connect(self.loadListRequested.emit)
        self.set_mode("pair")

    # ------------------------------------------------------------------
    def _attach_completer(self, field: QLineEdit) -> None:
        c = QCompleter(self.completer_model, field)
        c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        c.setModelSorting(QCompleter.ModelSorting.CaseInsensitivelySortedModel)
        c.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        c.setMaxVisibleItems(12)
        field.setCompleter(c)
        popup = c.popup()  # a completer always has one (typed Optional)
        assert popup is not None
        popup.setItemDelegate(DescribedDelegate(None, popup))
        popup.setMinimumWidth(POPUP_WIDTH)
        popup.setTextElideMode(Qt.TextElideMode.ElideRight)

    def set_completions(
        self, names: list[str], describe: Callable[[str], str] | None = None
    ) -> None:
        """``names`` must be sorted case-insensitively (``sorted(names, key=str.upper)``);
        ``describe(name)`` gives what a name stands for, shown next to it in the pop-up."""
        self.completer_model.setStringList(names)
        self.describe = describe
        for f in (self.gene_a, self.gene_b, self.partner_gene):
            popup = f.completer().popup()
            delegate = popup.itemDelegate() if popup is not None else None
            if isinstance(delegate, DescribedDelegate):
                delegate.describe = describe

    @property
    def mode(self) -> str:
        return MODES[self.stack.currentIndex()]

    def set_mode(self, mode: str) -> None:
        self.set_mode_index(MODES.index(mode))

    def set_mode_index(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        self.mode_group.button(i).setChecked(True)

    def set_busy(self, busy: bool, text: str = "") -> None:
        for b in (self.pair_btn, self.partners_btn, self.list_btn):
            b.setEnabled(not busy)
        self.status.setText(text)

    def _swap(self) -> None:
        a, b = self.gene_a.text(), self.gene_b.text()
        self.gene_a.setText(b)
        self.gene_b.setText(a)
        if a.strip() and b.strip():
            self.request_pair()

    def _pair_enter(self) -> None:
        if self.gene_b.text().strip():
            self.request_pair()
        else:
            self.gene_b.setFocus()

    # ------------------------------------------------------------------
    def set_pair(self, a: str, b: str) -> None:
        self.set_mode("pair")
        self.gene_a.setText(a)
        self.gene_b.setText(b)

    def set_partners(self, gene: str, top: int | None = None) -> None:
        self.set_mode("partners")
        self.partner_gene.setText(gene)
        if top is not None:
            self.top_n.setValue(top)

    def show_query(self, query: dict[str, Any]) -> None:
        """Fill the fields with ``query`` (as :attr:`queryRequested` emits it), without running it."""
        mode = query.get("mode")
        if mode == "pair" and len(query.get("genes") or []) == 2:
            self.set_pair(*[str(g) for g in query["genes"]])
        elif mode == "partners":
            self.set_partners(
                str(query.get("gene", "")), int(query["top"]) if query.get("top") else None
            )
        elif mode == "list" and query.get("pairs"):
            self.set_list_text("\n".join(f"{a}\t{b}" for a, b in query["pairs"]))
        elif mode == "list":
            self.set_list_text("\n".join(str(g) for g in query.get("genes") or []))

    def set_list_text(self, text: str) -> None:
        self.set_mode("list")
        self.list_edit.setPlainText(text)

    def request_pair(self) -> None:
        a, b = self.gene_a.text().strip(), self.gene_b.text().strip()
        self.queryRequested.emit({"mode": "pair", "genes": [a, b]})

    def request_partners(self) -> None:
        self.queryRequested.emit(
            {
                "mode": "partners",
                "gene": self.partner_gene.text().strip(),
                "top": int(self.top_n.value()),
            }
        )

    def request_list(self) -> None:
        parsed = parse_gene_list(self.list_edit.toPlainText())
        self.queryRequested.emit({"mode": "list", **parsed})

    def load_list_file(self, path: str | Path) -> None:
        """Put a file's gene names into the list box (first two columns of a table)."""
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
        self.set_list_text(text)


def choose_list_file(parent: QWidget, start: str) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Load a gene list", start, "Gene lists (*.txt *.tsv *.csv *.tab);;All files (*)"
    )
    return path
