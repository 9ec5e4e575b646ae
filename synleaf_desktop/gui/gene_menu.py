"""The right-click menu of a pair (heatmap cell, table row, partner row): copy the cell or the
pair, and open a gene's page in NCBI Gene, HGNC, DepMap or cBioPortal in the web browser.

The app fetches nothing: a link is handed to the system browser (``QDesktopServices.openUrl``).
The URL builders are plain functions, testable without Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

#: cBioPortal studies of the built-in contexts (TCGA PanCancer Atlas); "pan" and unknown
#: contexts use all of them
CBIOPORTAL_STUDIES = {
    "BRCA": "brca_tcga_pan_can_atlas_2018",
    "CESC": "cesc_tcga_pan_can_atlas_2018",
    "COAD": "coadread_tcga_pan_can_atlas_2018",
    "KIRC": "kirc_tcga_pan_can_atlas_2018",
    "LAML": "laml_tcga_pan_can_atlas_2018",
    "LUAD": "luad_tcga_pan_can_atlas_2018",
    "OV": "ov_tcga_pan_can_atlas_2018",
    "SKCM": "skcm_tcga_pan_can_atlas_2018",
}


def ncbi_url(symbol: str, entrez: int | None = None) -> str:
    """NCBI Gene: the gene's page by Entrez ID when known, else a search for the human symbol."""
    if entrez is not None:
        return f"https://www.ncbi.nlm.nih.gov/gene/{int(entrez)}"
    return f"https://www.ncbi.nlm.nih.gov/gene/?term={quote(symbol)}%5Bsym%5D+AND+human%5Borgn%5D"


def hgnc_url(symbol: str) -> str:
    return f"https://www.genenames.org/tools/search/#!/?query={quote(symbol)}"


def depmap_url(symbol: str) -> str:
    return f"https://depmap.org/portal/gene/{quote(symbol)}"


def cbioportal_studies(cancer: str | None) -> list[str]:
    """The cBioPortal study ids for a context's cancer (all TCGA PanCancer Atlas studies of the
    built-in contexts for pan-cancer or an unknown cancer)."""
    key = str(cancer or "").strip().upper()
    hit = CBIOPORTAL_STUDIES.get(key)
    return [hit] if hit else list(CBIOPORTAL_STUDIES.values())


def cbioportal_url(symbols: Sequence[str], cancer: str | None = None) -> str:
    """cBioPortal's query page for one or more genes in the context's TCGA study (several genes
    give its mutual-exclusivity view)."""
    studies = ",".join(cbioportal_studies(cancer))
    genes = " ".join(symbols)
    return (
        f"https://www.cbioportal.org/results?cancer_study_list={quote(studies, safe='')}"
        f"&gene_list={quote(genes, safe='')}"
    )


def gene_links(
    symbol: str, entrez: int | None = None, cancer: str | None = None
) -> list[tuple[str, str]]:
    """(label, URL) of every page offered for a gene."""
    where = str(cancer).upper() if cancer and str(cancer).upper() in CBIOPORTAL_STUDIES else "TCGA"
    return [
        ("NCBI Gene", ncbi_url(symbol, entrez)),
        ("HGNC", hgnc_url(symbol)),
        ("DepMap", depmap_url(symbol)),
        (f"cBioPortal ({where})", cbioportal_url([symbol], cancer)),
    ]


def open_url(url: str) -> bool:
    """Hand ``url`` to the system browser (nothing is fetched by the app)."""
    return bool(QDesktopServices.openUrl(QUrl(url)))


def build_pair_menu(
    parent: QWidget,
    pair: tuple[str, str],
    copy_text: str | Callable[[], str],
    cancer: str | None = None,
    names: dict[str, str] | None = None,
    entrez: dict[str, int] | None = None,
    context: str | None = None,
) -> QMenu:
    """The menu of one pair: "Copy", "Copy pair", one sub-menu of links per gene, and cBioPortal
    with both genes.

    Args:
        pair: the two symbols (a partner row: the query gene and the partner).
        copy_text: what "Copy" puts on the clipboard (or a function giving it).
        cancer: the context's cancer, for cBioPortal; names / entrez: full names and Entrez IDs.
        context: the context name shown in the menu (default: ``cancer``).
    """
    names = names or {}
    entrez = entrez or {}
    menu = QMenu(parent)
    menu.setObjectName("pair_menu")
    menu.setToolTipsVisible(True)
    a, b = pair

    def copy(text: str | Callable[[], str]) -> None:
        QGuiApplication.clipboard().setText(text() if callable(text) else text)

    act = menu.addAction("Copy")
    act.setObjectName("copy")
    act.triggered.connect(lambda _=False: copy(copy_text))
    act = menu.addAction(f"Copy pair ({a}\u2009–\u2009{b})")
    act.setObjectName("copy_pair")
    act.triggered.connect(lambda _=False: copy(f"{a}\t{b}"))
    menu.addSeparator()
    for g in dict.fromkeys(pair):
        title = g + (f" – {names[g]}" if names.get(g) else "")
        sub = menu.addMenu(title if len(title) <= 60 else title[:59] + "…")
        sub.setToolTipsVisible(True)
        sub.setObjectName(f"links_{g}")
        for label, url in gene_links(g, entrez.get(g), cancer):
            _link_action(sub, f"{g} in {label}", url)
    where = context or cancer or "TCGA"
    _link_action(menu, f"Both genes in cBioPortal ({where})", cbioportal_url([a, b], cancer))
    return menu


def _link_action(menu: QMenu, text: str, url: str) -> QAction:
    act = menu.addAction(text)
    act.setData(url)
    act.setToolTip(url)
    act.setStatusTip(url)
    act.triggered.connect(lambda _=False, u=url: open_url(u))
    return act


def menu_urls(menu: QMenu) -> dict[str, str]:
    """``{action text: URL}`` of every link in a menu and its sub-menus (for tests and help)."""
    out: dict[str, str] = {}
    for act in menu.actions():
        sub = act.menu()  # typed QObject (the C++ template); a sub-menu here is a QMenu
        if isinstance(sub, QMenu):
            out.update(menu_urls(sub))
        elif isinstance(act.data(), str) and act.data().startswith("http"):
            out[act.text()] = act.data()
    return out
