"""The back-office window: one tab per area, shown according to the user's role.

Which tab a role sees follows the role/action matrix of ``services.auth`` (the services
enforce the same actions again, so a hidden tab is never the only guard). Tabs of the
other areas (shifts, success board, audit, users) are imported lazily by name: a module
that is not there yet is skipped, the window still opens.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from counter_app.services.auth import Action, SignedInUser
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.errors import explain, explain_by_table
from counter_app.ui.training import TrainingBanner

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


def load_tab_class(spec: TabSpec) -> Any:
    """The tab's class, or None when its module is not there (yet)."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name == spec.module:
            return None
        raise
    cls = getattr(module, spec.cls, None)
    return cls if isinstance(cls, type) else None


class BackOfficeWindow(QMainWindow):
    """Work orders, card workbench, outbox, shifts, success board, bank collection,
    reconciliation, audit, users."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
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
        self.resize(1180, 760)
        self.retranslate()

    def tab(self, key: str) -> Any:
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
        if not self.specs:
            self.empty.setText(self.tr("Your role has no back-office area."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def back_office_for(
    counter_context: Any, user: SignedInUser, workers: Any, events: Any = None
) -> BackOfficeWindow:
    """The back-office window on the counter window's own services, threads and reader.

    ``counter_context`` is the counter window's ``ui.context.CounterContext``; its bootstrapped
    counter gives the services, and the embedded demo (if any) the data directory where the
    file SMS gateway writes.
    """
    office = BackOfficeContext.from_counter_context(counter_context, workers, events)
    return BackOfficeWindow(office, user)
