"""The back-office window: one tab per area, shown according to the user's role.

Which tab a role sees follows the role/action matrix of ``services.auth`` (the services
enforce the same actions again, so a hidden tab is never the only guard). Tabs of the
other areas (shifts, success board, audit, users) are imported lazily by name: a module
that is not there yet is skipped, the window still opens.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from counter_app.services.auth import Action, SignedInUser
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.context import CounterContext
from counter_app.ui.errors import explain, explain_by_table
from counter_app.ui.training import TrainingBanner
from counter_app.ui.workers import DeviceEvents, Workers

log = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """Translated words for an error of the back office (then ``ui.errors.explain``)."""
    own = {
        "work-order-state": lambda: QCoreApplication.translate(
            "BackOfficeErrors", "Work order {work_order_id} is {state}: cannot {step}."
        ),
        "unknown-work-order": lambda: QCoreApplication.translate(
            "BackOfficeErrors", "There is no work order {work_order}."
        ),
        "no-dispatcher": lambda: QCoreApplication.translate(
            "BackOfficeErrors", "No meter link is configured: the purchase cannot be dispatched."
        ),
        "card-blocked": lambda: QCoreApplication.translate(
            "BackOfficeErrors",
            "This card is blocked (too many failed key checks). Unblock it with the issuer's "
            "key (Unblock card), or re-issue it.",
        ),
        "change-refused": lambda: QCoreApplication.translate(
            "BackOfficeErrors", "The change was not made: {detail}"
        ),
        "meter-unreadable": lambda: QCoreApplication.translate(
            "BackOfficeErrors",
            "Meter {address} cannot be read: mark it as dead and enter its final balance and "
            "purchase count from the technician's form.",
        ),
        "unknown-review": lambda: QCoreApplication.translate(
            "BackOfficeErrors", "There is no held prepayment {review}."
        ),
    }
    text = explain_by_table(exc, own)
    if text is not None:
        return text
    if type(exc).__name__ == "SmsGatewayError":
        return QCoreApplication.translate(
            "BackOfficeErrors", "The SMS gateway did not take the message: {detail}"
        ).format(detail=getattr(exc, "detail", str(exc)))
    text = explain(exc)
    if text is not None:
        return text
    return QCoreApplication.translate("BackOfficeErrors", "Error: {error}").format(error=exc)


@dataclass(frozen=True)
class TabSpec:
    """A tab: where its class lives, which actions show it (any of them), its title."""

    key: str
    module: str
    cls: str
    actions: tuple[str, ...]
    title: str  # source text, translated in the "BackOfficeWindow" context


TABS: tuple[TabSpec, ...] = (
    TabSpec(
        "work-orders",
        "counter_app.ui.backoffice.work_orders",
        "WorkOrdersTab",
        (Action.VIEW_WORK_ORDERS,),
        "Work orders",
    ),
    TabSpec(
        "card-workbench",
        "counter_app.ui.backoffice.card_workbench",
        "CardWorkbenchTab",
        (Action.INSPECT_CARD,),
        "Card workbench",
    ),
    TabSpec(
        "outbox",
        "counter_app.ui.backoffice.outbox",
        "OutboxTab",
        (Action.VIEW_OUTBOX,),
        "SMS outbox",
    ),
    TabSpec(
        "shifts",
        "counter_app.ui.backoffice.shifts",
        "ShiftsTab",
        (Action.OPEN_SHIFT, Action.VIEW_OPEN_SHIFTS),
        "Shifts and cash",
    ),
    TabSpec(
        "daily-settlement",
        "counter_app.ui.backoffice.daily_settlement",
        "DailySettlementTab",
        (Action.VIEW_OPEN_SHIFTS,),
        "Daily settlement",
    ),
    TabSpec(
        "success-board",
        "counter_app.ui.backoffice.success_board",
        "SuccessBoardTab",
        (Action.VIEW_SUCCESS_BOARD,),
        "Success board",
    ),
    TabSpec(
        "bank-collection",
        "counter_app.ui.backoffice.bank",
        "BankCollectionTab",
        (Action.BANK_COLLECTION,),
        "Bank collection",
    ),
    TabSpec(
        "reconciliation",
        "counter_app.ui.backoffice.bank",
        "ReconciliationTab",
        (Action.RECONCILE,),
        "Reconciliation",
    ),
    TabSpec(
        "audit",
        "counter_app.ui.backoffice.audit",
        "AuditTab",
        (Action.VIEW_AUDIT,),
        "Audit",
    ),
    TabSpec(
        "users",
        "counter_app.ui.backoffice.users",
        "UsersTab",
        (Action.MANAGE_USERS,),
        "Users",
    ),
    TabSpec(
        "business-changes",
        "counter_app.ui.backoffice.business_changes",
        "BusinessChangesTab",
        (Action.FILE_BUSINESS_CHANGE, Action.REVIEW_BUSINESS_CHANGE),
        "Business changes",
    ),
    TabSpec(
        "archive-import",
        "counter_app.ui.backoffice.archive_import",
        "ArchiveImportTab",
        (Action.IMPORT_ARCHIVE,),
        "Archive import",
    ),
)


def tab_title(spec: TabSpec) -> str:
    titles = {
        "work-orders": QCoreApplication.translate("BackOfficeWindow", "Work orders"),
        "card-workbench": QCoreApplication.translate("BackOfficeWindow", "Card workbench"),
        "outbox": QCoreApplication.translate("BackOfficeWindow", "SMS outbox"),
        "shifts": QCoreApplication.translate("BackOfficeWindow", "Shifts and cash"),
        "daily-settlement": QCoreApplication.translate("BackOfficeWindow", "Daily settlement"),
        "success-board": QCoreApplication.translate("BackOfficeWindow", "Success board"),
        "bank-collection": QCoreApplication.translate("BackOfficeWindow", "Bank collection"),
        "reconciliation": QCoreApplication.translate("BackOfficeWindow", "Reconciliation"),
        "audit": QCoreApplication.translate("BackOfficeWindow", "Audit"),
        "users": QCoreApplication.translate("BackOfficeWindow", "Users"),
        "business-changes": QCoreApplication.translate("BackOfficeWindow", "Business changes"),
        "archive-import": QCoreApplication.translate("BackOfficeWindow", "Archive import"),
    }
    return titles.get(spec.key, spec.title)


def visible_tabs(user: SignedInUser) -> list[TabSpec]:
    """The tabs `user`'s role may use (by the services' role/action matrix)."""
    return [spec for spec in TABS if any(user.may(a) for a in spec.actions)]


TabClass = Callable[[BackOfficeContext, SignedInUser, QWidget], QWidget]
"""A back-office tab: made from the office's context, the signed-in user and its window."""


def load_tab_class(spec: TabSpec) -> TabClass | None:
    """The tab's class, or None when its module is not there (yet)."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name == spec.module:
            return None
        raise
    cls = getattr(module, spec.cls, None)
    return cast(TabClass, cls) if isinstance(cls, type) else None


LIVE_REFRESH_MS = 2_000
"""How often the back office asks whether its data changed (``audit.data_version``)."""


class BackOfficeWindow(QMainWindow):
    """Work orders, card workbench, outbox, shifts, success board, bank collection,
    reconciliation, audit, users.

    Live: every ``live_ms`` the window asks the database for its data version (one cheap
    query on the database thread); when it moved — a work order taken or closed on another
    counter, an SMS queued or sent, a shift closed — the tab in front reloads at once and
    the others when they are next shown. Nobody has to press Refresh.
    """

    def __init__(
        self,
        ctx: BackOfficeContext,
        user: SignedInUser,
        parent: QWidget | None = None,
        live_ms: int = LIVE_REFRESH_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backOfficeWindow")
        self.ctx = ctx
        self.user = user
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("backOfficeTabs")
        self.training_banner: TrainingBanner | None = None
        if ctx.training:
            central = QWidget(self)
            layout = QVBoxLayout(central)
            layout.setContentsMargins(0, 0, 0, 0)
            self.training_banner = TrainingBanner(central)
            layout.addWidget(self.training_banner)
            layout.addWidget(self.tabs, 1)
            self.setCentralWidget(central)
        else:
            self.setCentralWidget(self.tabs)
        self.tab_widgets: dict[str, QWidget] = {}
        self.specs: list[TabSpec] = []
        for spec in visible_tabs(user):
            cls = load_tab_class(spec)
            if cls is None:
                log.info("back-office tab %s is not available", spec.key)
                continue
            widget: QWidget = cls(ctx, user, self)
            self.tab_widgets[spec.key] = widget
            self.specs.append(spec)
            self.tabs.addTab(widget, tab_title(spec))
        if not self.specs:
            self.empty = QLabel(self)
            self.tabs.addTab(self.empty, "—")
        self.fit_to_screen()
        self.retranslate()

        self.data_version: tuple[int, int, int] | None = None
        self.live_refreshes = 0
        self._asking = False
        self._stale: set[str] = set()
        self.live_ms = live_ms
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(max(live_ms, 100))
        self.live_timer.timeout.connect(self.check_for_changes)
        if live_ms > 0:
            self.live_timer.start()
            self.check_for_changes()

    def fit_to_screen(self) -> None:
        """1180×720 at most and never more than the screen's free area (1366×768 counters)."""
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 1180, 720
        if area is not None and area.width() > 0 and area.height() > 0:
            width, height = min(width, area.width()), min(height, area.height())
        self.resize(width, height)

    def fit_placeholders(self) -> None:
        """Every field is at least as wide as its hint, in the language shown now: a hint
        cut in half ("原因（拒绝或…") tells the person nothing."""
        if not shiboken6.isValid(self):
            return
        for edit in self.findChildren(QLineEdit):
            hint = edit.placeholderText()
            if hint:
                wanted = edit.fontMetrics().horizontalAdvance(hint) + 16
                edit.setMinimumWidth(min(wanted, 520))

    # -- live data ---------------------------------------------------------------------------
    def check_for_changes(self) -> None:
        """One tick: reload the tab in front if it is stale, and ask for the data version.

        (No slot on the tab widget's ``currentChanged``: it fires while the window is being
        destroyed, and a Python slot on a half-destroyed window crashes.)
        """
        self._on_tab_shown()
        workers = getattr(self.ctx, "workers", None)
        if workers is None or self._asking:
            return
        from counter_app.services.audit import data_version

        self._asking = True

        def done(version: tuple[int, int, int]) -> None:
            if not shiboken6.isValid(self):
                return
            self._asking = False
            first = self.data_version is None
            changed = version != self.data_version
            self.data_version = version
            if changed and not first:
                self.live_refreshes += 1
                self._stale = set(self.tab_widgets)
                self._on_tab_shown()

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._asking = False
            log.info("back office: data version not read: %r", exc)

        try:
            workers.submit(
                workers.db, "data-version", lambda _r: data_version(), on_done=done, on_error=failed
            )
        except RuntimeError:  # the database thread is shut down: the window is closing
            self._asking = False

    def _on_tab_shown(self, *_: object) -> None:
        """Reload the tab in front if the data changed since it was last loaded."""
        widget = self.tabs.currentWidget()
        key = next((k for k, w in self.tab_widgets.items() if w is widget), None)
        if key is None or key not in self._stale:
            return
        self._stale.discard(key)
        reload = getattr(widget, "refresh", None) or getattr(widget, "search", None)
        if callable(reload):
            reload()

    def tab(self, key: str) -> QWidget | None:
        """The tab widget for `key` ("work-orders", "card-workbench", "outbox", ...)."""
        return self.tab_widgets.get(key)

    def show_tab(self, key: str) -> None:
        widget = self.tab_widgets.get(key)
        if widget is not None:
            self.tabs.setCurrentWidget(widget)

    def retranslate(self) -> None:
        self.setWindowTitle(
            self.tr("Back office — {name} ({role}) at {counter}").format(
                name=getattr(self.user, "full_name", "") or self.user.username,
                role=texts.role(str(self.user.role)),
                counter=self.ctx.counter_id,
            )
        )
        for i, spec in enumerate(self.specs):
            self.tabs.setTabText(i, tab_title(spec))
        QTimer.singleShot(0, self.fit_placeholders)  # after the tabs said their new words
        if not self.specs:
            self.empty.setText(self.tr("Your role has no back-office area."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Opened again (F10 after closing it): live again, and the data checked at once."""
        if self.live_ms > 0 and not self.live_timer.isActive():
            self.live_timer.start()
            self.check_for_changes()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """A closed back office is only hidden (the counter window keeps it for F10): it stops
        asking the database every few seconds, and nothing it started may tick into a window
        that its owner is about to destroy."""
        self.live_timer.stop()
        super().closeEvent(event)


def back_office_for(
    counter_context: CounterContext,
    user: SignedInUser,
    workers: Workers,
    events: DeviceEvents | None = None,
) -> BackOfficeWindow:
    """The back-office window on the counter window's own services, threads and reader.

    ``counter_context`` is the counter window's ``ui.context.CounterContext``; its bootstrapped
    counter gives the services, and the embedded demo (if any) the data directory where the
    file SMS gateway writes.
    """
    office = BackOfficeContext.from_counter_context(counter_context, workers, events)
    return BackOfficeWindow(office, user)
