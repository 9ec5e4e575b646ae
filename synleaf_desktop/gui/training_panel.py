"""The local training tab: choose data, see an estimate, train in a worker with live plots,
cancel cleanly; the finished model appears as a new context."""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar, Protocol

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..app.library import Library
from ..app.settings import Settings
from ..app.training import (
    BUILTIN_GRAPH,
    QUICK_EPOCHS,
    TrainRequest,
    base_models,
    cuda_devices,
    estimate,
    estimate_inputs,
    parse_settings,
    run_training,
)
from ..errors import InputError
from . import style
from .widgets import ElidedComboBox
from .workers import Task, TaskManager


class TrainingHost(Protocol):
    """What the training tab needs from the window around it."""

    library: Library
    settings: Settings
    tasks: TaskManager

    def notify(self, level: str, title: str, text: str) -> QMessageBox: ...
    def flash(self, text: str, ms: int = 6000) -> None: ...
    def reload_models(self) -> None: ...
    def import_dialog(self) -> None: ...


def _fmt_seconds(s: float) -> str:
    if s != s or s <= 0:
        return "–"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def _fmt_bytes(b: float) -> str:
    if b >= 1 << 30:
        return f"{b / (1 << 30):.1f} GB"
    return f"{b / (1 << 20):.0f} MB"


def _show_full_text(combo: QComboBox) -> None:
    """Long entries (e.g. "OV (602 samples, 33666 genes, mut, cna)") are cut in a narrow
    combo box: give every item its full text as a tooltip and let the drop-down list be as
    wide as its longest entry."""
    width = 0
    metrics = combo.fontMetrics()
    for i in range(combo.count()):
        text = combo.itemText(i)
        combo.setItemData(i, text, Qt.ItemDataRole.ToolTipRole)
        width = max(width, metrics.horizontalAdvance(text))
    combo.view().setMinimumWidth(width + 40)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)


def log_ticks(lo: float, hi: float) -> list[list[tuple[float, str]]]:
    """Major ticks (label at 1, 2, 5 x 10^k; more labels when the data span less than a decade)
    and unlabelled minor ticks (the other integers x 10^k) for a pyqtgraph axis in log mode,
    whose positions are log10 values, over ``[lo, hi]`` (> 0)."""
    lo, hi = min(lo, hi), max(lo, hi)
    major: list[tuple[float, str]] = []
    minor: list[tuple[float, str]] = []
    steps = (1, 2, 5) if hi / lo >= 10 else (1, 2, 3, 4, 5, 6, 7, 8, 9)
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in range(1, 10):
            v = m * 10.0**k
            if not lo / 1.5 <= v <= hi * 1.5:
                continue
            if m in steps:
                major.append((math.log10(v), f"{v:.3g}"))
            else:
                minor.append((math.log10(v), ""))
    return [major, minor]


class LivePlots(QWidget):
    """Classification loss, validation AUC and per-modality gradient norms per epoch, one curve
    per stage.

    The loss plot shows each stage's binary cross-entropy (the same quantity for all three
    stages; 0.693 = ln 2 is a model that cannot tell SL from non-SL). The stages' total losses
    are not comparable: the omics teacher adds KL terms and the UMT student KL and distillation
    terms, so on one axis with them the KG teacher's loss (BCE only, starting at ln 2: its
    embeddings start near zero, so its first logits are near 0) looked flat. Gradient norms are
    drawn on a log scale: the KG branch's are much smaller than the omics branch's (8x in a
    synthetic run; sparse gradients of small entity embeddings; RAdam scales each parameter's
    step by its own gradient history, so small norms still train), which on a linear axis
    looked like zero."""

    STAGES: ClassVar[tuple[str, ...]] = ("omics", "kg", "umt")
    STAGE_NAMES: ClassVar[dict[str, str]] = {
        "omics": "omics teacher",
        "kg": "KG teacher",
        "umt": "UMT student",
    }
    STAGE_COLORS: ClassVar[dict[str, tuple[int, int, int]]] = {
        "omics": (142, 68, 173),
        "kg": (230, 126, 34),
        "umt": (38, 110, 180),
    }

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        swatch = "<span style='color:rgb{}; font-weight:600'>&#9632; {}</span>"
        legend = QLabel(
            "Curves per training stage: "
            + "&nbsp;&nbsp;".join(
                swatch.format(self.STAGE_COLORS[s], self.STAGE_NAMES[s]) for s in self.STAGES
            )
            + "<br>Gradient norms per modality: "
            + swatch.format(style.SERIES_COLORS["omics"], "omics branch")
            + "&nbsp;&nbsp;"
            + swatch.format(style.SERIES_COLORS["kg"], "knowledge-graph branch")
            + " (solid: teachers, dashed: UMT student; log scale). Loss: each stage's "
            "classification loss (BCE; dotted line: ln 2, no separation)."
        )
        legend.setWordWrap(True)
        legend.setObjectName("hint")
        lay.addWidget(legend, 0, 0, 1, 2)
        self.plots: dict[str, pg.PlotWidget] = {}
        for i, (key, title, ylabel) in enumerate(
            (
                ("loss", "Training classification loss (BCE)", "BCE"),
                ("val_auc", "Validation AUC", "AUC"),
                ("grad", "Gradient norm per modality", "‖grad‖"),
            )
        ):
            w = pg.PlotWidget(background="w", title=title)
            w.setMenuEnabled(False)
            w.hideButtons()
            w.setLabel("bottom", "epoch")
            w.setLabel("left", ylabel)
            w.showGrid(x=True, y=True, alpha=0.2)
            if key == "val_auc":
                w.setYRange(0.4, 1.0)
            if key == "grad":
                w.setLogMode(y=True)
            self.plots[key] = w
            lay.addWidget(w, 1 if i < 2 else 2, i if i < 2 else 0, 1, 1 if i < 2 else 2)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.data: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
        self._run = 0

        self._add_reference()

    def _add_reference(self) -> None:
        """The ln 2 line of the loss plot (BCE of a constant 0.5 prediction)."""
        self.plots["loss"].addItem(
            pg.InfiniteLine(
                pos=math.log(2),
                angle=0,
                pen=pg.mkPen(style.MUTED, width=1, style=Qt.PenStyle.DotLine),
            )
        )

    def clear(self) -> None:
        for w in self.plots.values():
            w.clear()
        self.curves.clear()
        self.data.clear()
        self._add_reference()

    def _curve(
        self, plot: str, series: str, name: str, color, dash: bool = False
    ) -> pg.PlotDataItem:
        key = (plot, series)
        if key not in self.curves:
            pen = pg.mkPen(
                color, width=2, style=Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine
            )
            self.curves[key] = self.plots[plot].plot(
                [],
                [],
                pen=pen,
                name=name,
                symbol="o",
                symbolSize=4,
                symbolBrush=color,
                symbolPen=None,
            )
            self.data[key] = ([], [])
        return self.curves[key]

    def add_epoch(self, info: dict[str, Any]) -> None:
        """Add one epoch from a training progress ``info`` dict."""
        stage = str(info.get("stage", ""))
        epoch = info.get("epoch")
        if stage not in self.STAGES or epoch is None:
            return
        fold = info.get("fold")
        tag = f"{self.STAGE_NAMES[stage]}" + (
            f" f{fold}" if fold is not None and info.get("n_folds", 1) > 1 else ""
        )
        color = self.STAGE_COLORS[stage]
        # the classification loss (BCE) is comparable across stages; the total loss is not
        loss_key = "bce" if isinstance(info.get("bce"), (int, float)) else "loss"
        for plot, key in (("loss", loss_key), ("val_auc", "val_auc")):
            v = info.get(key)
            if isinstance(v, (int, float)) and math.isfinite(v):
                self._append(plot, f"{stage}:{fold}", tag, color, float(epoch), float(v))
        for mod in ("omics", "kg"):
            v = info.get(f"grad_norm_{mod}")
            if isinstance(v, (int, float)) and math.isfinite(v) and v > 0:  # log scale
                self._append(
                    "grad",
                    f"{stage}:{fold}:{mod}",
                    f"{mod} ({tag})",
                    style.SERIES_COLORS[mod],
                    float(epoch),
                    float(v),
                    dash=stage == "umt",
                )

    def _append(
        self, plot: str, series: str, name: str, color, x: float, y: float, dash: bool = False
    ) -> None:
        curve = self._curve(plot, series, name, color, dash)
        xs, ys = self.data[(plot, series)]
        xs.append(x)
        ys.append(y)
        curve.setData(xs, ys)
        if plot == "grad":
            self._grad_ticks()

    def _grad_ticks(self) -> None:
        """Labels of the log-scale gradient axis at 1, 2 and 5 x 10^k within the data's range
        (pyqtgraph's own labels at every 2..9 x 10^k overlap, e.g. 0.08 on 0.1)."""
        ys = [y for (p, _), (_, v) in self.data.items() if p == "grad" for y in v]
        if not ys:
            return
        self.plots["grad"].getAxis("left").setTicks(log_ticks(min(ys), max(ys)))


class TrainingPanel(QWidget):
    """The "Train your own model" tab."""

    def __init__(self, host: TrainingHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.task: Task | None = None
        self.models: list[tuple[str, dict[str, Any]]] = []
        self._cuda: bool | None = None
        outer = QHBoxLayout(self)

        # --- inputs ----------------------------------------------------------------
        left = QVBoxLayout()
        box = QGroupBox("1. Data")
        form = QFormLayout(box)
        self.cohort = ElidedComboBox()
        self.cohort.setToolTip(
            "An omics cohort you imported (drop a cBioPortal study folder on the window)"
        )
        self.labels = ElidedComboBox()
        self.labels.setToolTip(
            "An SL label table you imported (gene pairs with SL / non-SL labels)"
        )
        self.cancer = ElidedComboBox()
        self.cancer.setToolTip("Which rows of the label table to train on")
        self.graph = ElidedComboBox()
        self.graph.setToolTip(
            "The knowledge graph: the built-in GO/KEGG graph, or one you imported"
        )
        imp = QPushButton("Import data…")
        imp.setToolTip("Import a study folder, omics files, a label table or a knowledge graph")
        imp.clicked.connect(lambda: self.host.import_dialog())
        form.addRow("Omics cohort:", self.cohort)
        form.addRow("SL labels:", self.labels)
        form.addRow("Label rows:", self.cancer)
        form.addRow("Knowledge graph:", self.graph)
        form.addRow("", imp)
        left.addWidget(box)

        box = QGroupBox("2. Model")
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. MY_BRCA")
        self.name.setToolTip("Name of the new context (letters, digits, _ . + -)")
        self.base = ElidedComboBox()
        self.base.setToolTip(
            "Start from an existing model's weights (fine-tuning) where they fit, "
            "e.g. pan-cancer -> a small cohort"
        )
        self.device_box = ElidedComboBox()
        self.device_box.addItem("CPU", "cpu")
        self.device_box.setToolTip("GPU appears when PyTorch sees a CUDA device")
        self.quick = QCheckBox(f"Quick run (1 fold, ≤ {QUICK_EPOCHS} epochs per stage)")
        self.quick.setToolTip(
            "For a first look. A full run trains 5 cross-validation folds, "
            "which gives honest quality figures and a steadier model."
        )
        form.addRow("Name:", self.name)
        form.addRow("Start from:", self.base)
        form.addRow("Device:", self.device_box)
        form.addRow("", self.quick)
        self.settings_edit = QLineEdit()
        self.settings_edit.setPlaceholderText("optional, e.g. max_epochs=50; hidden_dims=256,128")
        self.settings_edit.setToolTip(
            "Expert settings: training settings that differ from the method's defaults, as "
            "name=value separated by ';' (lists with commas). Names: max_epochs, patience, "
            "patience_steps, batch_size, hidden_dims, latent_dim, kg_dims, lr, weight_decay, "
            "seed, teacher_mode ... (the same as `synleaf train`'s options; see the README)."
        )
        form.addRow("Settings:", self.settings_edit)
        left.addWidget(box)

        box = QGroupBox("3. Train")
        v = QVBoxLayout(box)
        self.estimate_label = QLabel("Choose a cohort and a label table to see an estimate.")
        self.estimate_label.setWordWrap(True)
        self.estimate_label.setObjectName("hint")
        v.addWidget(self.estimate_label)
        row = QHBoxLayout()
        self.start_btn = QPushButton("Start training")
        self.start_btn.setObjectName("primary")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.setToolTip("Stop training; nothing half-trained is kept")
        row.addWidget(self.start_btn)
        row.addWidget(self.cancel_btn)
        row.addStretch(1)
        v.addLayout(row)
        left.addWidget(box)
        left.addStretch(1)
        lw = QWidget()
        lw.setLayout(left)
        lw.setMaximumWidth(430)
        lw.setMinimumWidth(360)
        outer.addWidget(lw)

        # --- progress --------------------------------------------------------------
        right = QVBoxLayout()
        self.stage_label = QLabel("No training running.")
        self.stage_label.setObjectName("title")
        right.addWidget(self.stage_label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        right.addWidget(self.progress)
        self.eta_label = QLabel("")
        self.eta_label.setObjectName("hint")
        right.addWidget(self.eta_label)
        self.plots = LivePlots()
        right.addWidget(self.plots, 1)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(110)
        self.log.setPlaceholderText("Training messages appear here.")
        right.addWidget(self.log)
        outer.addLayout(right, 1)

        self.start_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        for w in (self.cohort, self.labels, self.cancer, self.graph, self.device_box):
            w.currentIndexChanged.connect(self.update_estimate)
        self.labels.currentIndexChanged.connect(self._fill_cancers)
        self.quick.toggled.connect(self.update_estimate)
        self._started_at = 0.0
        self.result_name: str | None = None
        self.last_error: str | None = None
        self.settings_edit.textChanged.connect(self.update_estimate)
        self.refresh_data()
        self._detect_gpu()

    # ------------------------------------------------------------------ data lists
    def refresh_data(self) -> None:
        lib = self.host.library
        for combo, kind in ((self.cohort, "cohorts"), (self.labels, "labels")):
            cur = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            entries = lib.list(kind)
            if not entries:
                combo.addItem("none yet: import data first", None)
            for e in entries:
                combo.addItem(e.label, e.name)
            i = combo.findData(cur)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        cur = self.graph.currentData()
        self.graph.blockSignals(True)
        self.graph.clear()
        self.graph.addItem("Built-in GO/KEGG graph", BUILTIN_GRAPH)
        for e in lib.list("graphs"):
            self.graph.addItem(e.label, e.name)
        self.graph.setCurrentIndex(max(self.graph.findData(cur), 0))
        self.graph.blockSignals(False)
        for combo in (self.cohort, self.labels, self.graph):
            _show_full_text(combo)
        self._fill_cancers()

    def _fill_cancers(self) -> None:
        name = self.labels.currentData()
        cur = self.cancer.currentData()
        self.cancer.blockSignals(True)
        self.cancer.clear()
        if name:
            entry = next((e for e in self.host.library.list("labels") if e.name == name), None)
            per = entry.info.get("summary", {}).get("per_cancer", {}) if entry else {}
            if len(per) != 1:
                self.cancer.addItem("all rows", "")
            for c, v in per.items():
                self.cancer.addItem(
                    f"{c}: {v.get('positive', 0)} SL / {v.get('negative', 0)} non-SL",
                    "" if c == "(none)" else c,
                )
        else:
            self.cancer.addItem("–", "")
        self.cancer.setCurrentIndex(max(self.cancer.findData(cur), 0))
        self.cancer.blockSignals(False)
        _show_full_text(self.cancer)
        if not self.name.text() and self.cancer.currentData():
            self.name.setText(f"MY_{self.cancer.currentData()}")
        self.update_estimate()

    def set_models(self, infos: list[tuple[str, dict[str, Any]]]) -> None:
        self.models = list(infos)
        cur = self.base.currentData()
        self.base.clear()
        self.base.addItem("nothing (train from scratch)", None)

        for name in base_models(infos):
            self.base.addItem(f"fine-tune from {name}", name)
        self.base.setCurrentIndex(max(self.base.findData(cur), 0))
        _show_full_text(self.base)

    def device(self) -> str:
        return str(self.device_box.currentData() or "cpu")

    def _detect_gpu(self) -> None:

        task = Task(cuda_devices, name="detect-gpu")
        task.succeeded.connect(self._gpu_found)
        self.host.tasks.start("detect-gpu", task)

    def _gpu_found(self, devices: list[str]) -> None:
        for i, name in enumerate(devices):
            self.device_box.addItem(f"GPU: {name}", f"cuda:{i}")
        want = self.host.settings.device
        i = self.device_box.findData(want)
        if i >= 0:
            self.device_box.setCurrentIndex(i)

    # ------------------------------------------------------------------ estimate
    def request(self) -> TrainRequest | None:
        if not self.cohort.currentData() or not self.labels.currentData():
            return None
        return TrainRequest(
            name=self.name.text().strip() or "MY_MODEL",
            cohort=self.cohort.currentData(),
            labels=self.labels.currentData(),
            cancer=self.cancer.currentData() or "",
            graph=self.graph.currentData() or BUILTIN_GRAPH,
            base_model=self.base.currentData(),
            device=self.device(),
            quick=self.quick.isChecked(),
            config=self.expert_config(),
        )

    def expert_config(self) -> dict[str, Any] | None:
        """The settings typed in the "Settings" field (None: the method's defaults).

        Raises:
            InputError: the text is not name=value pairs of training settings.
        """
        return parse_settings(self.settings_edit.text()) or None

    def update_estimate(self) -> None:
        try:
            req = self.request()
        except InputError as exc:
            self.estimate_label.setText(f"Settings: {exc}")
            self.start_btn.setEnabled(False)
            return
        if req is None:
            self.estimate_label.setText(
                "Choose a cohort and a label table to see an estimate of time and memory."
            )
            self.start_btn.setEnabled(False)
            return
        self.start_btn.setEnabled(self.task is None)
        inputs = estimate_inputs(self.host.library, req)
        est = estimate(inputs, req)
        self.estimate_label.setText(
            f"Estimate: about <b>{_fmt_seconds(est.seconds)}</b> and <b>{_fmt_bytes(est.peak_bytes)}</b> of memory "
            f"on {'GPU' if req.device.startswith('cuda') else 'CPU'} ({inputs.genes:,} genes x {inputs.samples:,} "
            f"samples, {inputs.kinds} omics, ~{inputs.pairs:,} labelled pairs, {est.folds} fold"
            f"{'s' if est.folds != 1 else ''}). A rough guide: the time is re-estimated from the real speed "
            "after the first epochs."
        )
        self.estimate_label.setTextFormat(Qt.TextFormat.RichText)

    # ------------------------------------------------------------------ run
    def start(self) -> Task | None:
        try:
            req = self.request()
        except InputError as exc:
            self.host.notify("warning", "Cannot start training", f"Settings: {exc}")
            return None
        if req is None:
            self.host.notify(
                "info",
                "Choose the data first",
                "Import an omics cohort and an SL label table (drop them on the window), "
                "then choose them here.",
            )
            return None
        if self.task is not None:
            return None
        problem = req.problem(existing=[n for n, _ in self.models])
        if problem:
            self.host.notify("warning", "Cannot start training", problem)
            return None
        self.host.settings.device = req.device
        self.plots.clear()
        self.log.clear()
        self.result_name = None
        self.last_error = None
        self._started_at = time.monotonic()
        self.stage_label.setText(f"Training {req.name}…")
        self.progress.setValue(0)
        self.eta_label.setText("")
        # one time figure at a time: the estimate before the start is labelled as such
        est = estimate(estimate_inputs(self.host.library, req), req)
        self.estimate_label.setText(
            f"Estimated before starting: about {_fmt_seconds(est.seconds)} and "
            f"{_fmt_bytes(est.peak_bytes)} of memory. The line under the progress bar "
            "shows the time left measured while training."
        )
        task = Task(run_training, req, self.host.library, name="train", min_interval=0.2)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(self._finished)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        task.done.connect(self._done)
        self.task = task
        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.host.tasks.start("train", task)
        self._log(
            f"started: cohort {req.cohort}, labels {req.labels} {req.cancer or '(all rows)'}, "
            f"graph {req.graph}, device {req.device}"
            + (f", fine-tuning from {req.base_model}" if req.base_model else "")
        )
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_btn.setEnabled(False)
            self.stage_label.setText("Cancelling… (stops after the current step)")

    def _log(self, text: str) -> None:
        self.log.appendPlainText(text)

    def _on_progress(self, fraction: float, message: str, info: dict) -> None:
        if fraction == fraction:
            self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
            elapsed = time.monotonic() - self._started_at
            if fraction > 0.05 and elapsed > 5:
                # from the speed so far; early stopping can end stages sooner, so this is an upper guide
                left = elapsed * (1 - fraction) / fraction
                self.eta_label.setText(
                    f"elapsed {_fmt_seconds(elapsed)}"
                    + (
                        f", at most about {_fmt_seconds(left)} left at the speed so far"
                        if left >= 1
                        else ""
                    )
                )
            elif elapsed > 1:
                self.eta_label.setText(f"elapsed {_fmt_seconds(elapsed)}; measuring the speed…")
        if "epoch" in info and info.get("stage") in LivePlots.STAGE_NAMES:
            fold = f"fold {info['fold']}/{info.get('n_folds', '?')} · " if "fold" in info else ""
            auc = info.get("val_auc")
            auc_s = f" (validation AUC {auc:.3f})" if isinstance(auc, float) and auc == auc else ""
            self.stage_label.setText(
                f"{fold}{LivePlots.STAGE_NAMES[info['stage']]}: epoch {info['epoch']}/"
                f"{info.get('max_epochs', '?')}{auc_s}"
            )
        elif message:
            self.stage_label.setText(message)
        if "epoch" in info:
            self.plots.add_epoch(info)
        elif message:
            self._log(message)

    def _finished(self, name: str) -> None:
        self.result_name = name
        self.progress.setValue(1000)
        self.stage_label.setText(f"Done: {name} is now a context on the left.")
        self.eta_label.setText(f"took {_fmt_seconds(time.monotonic() - self._started_at)}")
        self._log(f"finished: model {name} saved")
        self.host.flash(f"new model {name} ready")
        self.host.reload_models()

    def _failed(self, message: str) -> None:
        self.last_error = message
        self.stage_label.setText("Training stopped with an error.")
        self.eta_label.setText(f"stopped after {_fmt_seconds(time.monotonic() - self._started_at)}")
        self._log("error: " + message)
        self.host.notify("error", "Training failed", message + "\n\nNothing was saved.")

    def _cancelled(self) -> None:
        self.stage_label.setText("Cancelled. Nothing was saved.")
        self.eta_label.setText(
            f"cancelled after {_fmt_seconds(time.monotonic() - self._started_at)}"
        )
        self._log("cancelled by you; nothing was kept")
        self.progress.setValue(0)

    def _done(self) -> None:
        self.task = None
        self.cancel_btn.setEnabled(False)
        self.start_btn.setEnabled(self.request() is not None)
        self.update_estimate()  # the estimate for the next run, as before starting
