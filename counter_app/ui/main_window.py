"""The counter window: find → account → pay → dispatch → receipt → next customer.

Keyboard first: F2 search, F3 read card, F5 pay, Enter confirm, F6 write card, F7 check the
meter (R8), F8 reversal, F9 print, Ctrl+P reprint (COPY), Esc next customer, F10 back office.
The shortcuts are shown on the buttons and in the status bar.

Money safety in the window: one money job at a time (``_money_busy``), set before anything
is submitted; the confirmation dialog fires once; the buttons are disabled while a job
runs. Every device step runs on its device's owner thread (``ui.workers``) and reports
back by signal, so the window keeps painting while a meter takes seconds to answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from card_io.errors import CardError
from counter_app.core.payment_plan import PlanError
from counter_app.services import counter_views
from counter_app.services.auth import SignedInUser
from counter_app.ui import texts
from counter_app.ui.account_view import AccountView
from counter_app.ui.context import CounterContext, shift_of
from counter_app.ui.errors import explain, show_exception
from counter_app.ui.payment import ConfirmPaymentDialog, PaymentPanel, ProgressPanel
from counter_app.ui.receipt_preview import ReceiptPreviewDialog
from counter_app.ui.search import SearchPanel
from counter_app.ui.training import TrainingBanner
from counter_app.ui.workers import DeviceEvents, Report, Workers

if TYPE_CHECKING:
    from card_io.card_files import WriteBack
    from card_io.purchase_card import CardContents
    from counter_app.core.payment_plan import PaymentPlan
    from counter_app.services.cards import WritebackResult
    from counter_app.services.dispatch_results import DispatchSummary
    from counter_app.services.payments import PaymentOutcome
    from counter_app.services.ports import ChannelHealth
    from counter_app.services.receipts import ReceiptData
    from counter_app.services.recovery import ResumeResult
    from counter_app.services.shifts import ShiftView

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # R9
WATCH_INTERVAL_MS = 1000
"""How often the window looks again at a purchase whose result is not yet known (下发中)."""


def sentences(*parts: str) -> str:
    """Sentences one after another: a space after a Latin full stop, none after 。."""
    out = ""
    for part in parts:
        if out and not out.endswith(("。", "）", "！", "？")):
            out += " "
        out += part
    return out


class MainWindow(QMainWindow):
    """The teller's window for one signed-in user at one counter."""

    sig_payment_finished = Signal(object)  # the PaymentOutcome, after dispatch if any
    sig_account_loaded = Signal(object)

    def __init__(
        self,
        context: CounterContext,
        user: SignedInUser,
        workers: Workers,
        events: DeviceEvents | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("counterWindow")
        self.context = context
        self.user = user
        self.workers = workers
        self.events = events or DeviceEvents(self)
        self.signed_in_at = dt.datetime.now()
        self.account: counter_views.Account | None = None
        self.last_outcome: PaymentOutcome | None = None  # of the last payment
        self.last_dispatch: DispatchSummary | None = None  # of the last dispatch
        self.last_receipt: ReceiptData | None = None  # the last receipt shown
        self.receipts_printed: set[str] = set()
        self.preview: ReceiptPreviewDialog | None = None
        self.confirm_dialog: ConfirmPaymentDialog | None = None
        self.card_dialog: QWidget | None = None
        self.reversal_dialog: QWidget | None = None
        self.offset_dialog: QWidget | None = None
        self._money_busy = False
        self.last_tendered: int | None = None  # cash handed over for the last payment
        self._reader_state: str | None = None
        self._wanted_customer: str | None = None
        self.dispatch_thread = ""  # name of the thread the last dispatch ran on
        self.payments_taken = 0
        self.last_card: CardContents | None = None  # the last card read (F3)
        self.last_writeback: WritebackResult | None = None  # the last write-back applied

        self.cash_shift: ShiftView | None = None  # the teller's live shift
        # meter no. -> its channel's health (None: no figures yet), or why it was not known
        self.channel_health: dict[str, ChannelHealth | BaseException | None] = {}
        self._watched_purchase: int | None = None  # 下发中: the purchase whose result we await
        self._watch_timer = QTimer(self)
        self._watch_timer.setSingleShot(True)
        self._watch_timer.timeout.connect(self._look_at_watched)
        self._build()
        self._wire_events()
        self.retranslate()
        self.load_cash_shift()
        self.search.focus_search()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = QWidget(self)
        bar.setObjectName("sessionBar")
        self.title_label = QLabel(bar)
        self.title_label.setObjectName("appTitle")
        self.user_label = QLabel(bar)
        self.user_label.setObjectName("userLabel")
        self.counter_label = QLabel(bar)
        self.counter_label.setObjectName("counterLabel")
        self.shift_label = QLabel(bar)
        self.shift_label.setObjectName("shiftLabel")
        self.reader_label = QLabel(bar)
        self.reader_label.setObjectName("readerLabel")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(6, 4, 6, 4)
        bar_layout.addWidget(self.title_label)
        bar_layout.addStretch(1)
        for label in (self.user_label, self.counter_label, self.shift_label, self.reader_label):
            bar_layout.addWidget(label)

        self.search = SearchPanel(self.workers, parent=self)
        self.account_view = AccountView(self)
        self.payment = PaymentPanel(self)
        self.progress = ProgressPanel(self)

        self.card_button = QPushButton(self)
        self.card_button.setObjectName("cardButton")
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printButton")
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("reprintButton")
        self.reversal_button = QPushButton(self)
        self.reversal_button.setObjectName("reversalButton")
        self.offset_button = QPushButton(self)
        self.offset_button.setObjectName("offsetButton")
        self.transfer_button = QPushButton(self)
        self.transfer_button.setObjectName("transferButton")
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("nextButton")
        self.office_button = QPushButton(self)
        self.office_button.setObjectName("backOfficeButton")
        self.office_button.setVisible(self._may_use_back_office())
        self.back_office: QWidget | None = None
        actions = QWidget(self)
        actions_layout = QGridLayout(actions)  # two columns: the column fits a 768-px screen
        actions_layout.setContentsMargins(0, 0, 0, 0)
        for i, b in enumerate(
            (
                self.card_button,
                self.print_button,
                self.reprint_button,
                self.reversal_button,
                self.offset_button,
                self.transfer_button,
            )
        ):
            actions_layout.addWidget(b, i // 2, i % 2)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.payment)
        right_layout.addWidget(self.progress, 1)
        right_layout.addWidget(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        # next customer and the back office under the search: they leave the customer, and
        # the right-hand column keeps to three rows of actions on a 768-px screen
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search, 1)
        leave = QHBoxLayout()
        leave.addWidget(self.next_button)
        leave.addWidget(self.office_button)
        left_layout.addLayout(leave)
        splitter.addWidget(left)
        splitter.addWidget(self.account_view)
        splitter.addWidget(right)
        splitter.setSizes([340, 640, 380])

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.training_banner: TrainingBanner | None = None
        if self.context.training:
            self.training_banner = TrainingBanner(central)
            layout.addWidget(self.training_banner)
        layout.addWidget(bar)
        inner = QWidget(central)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(splitter)
        layout.addWidget(inner, 1)
        self.setCentralWidget(central)

        self.hints = QLabel(self)
        self.hints.setObjectName("shortcutHints")
        self.statusBar().addPermanentWidget(self.hints, 1)
        self.fit_to_screen()

        self.shortcuts = {
            "search": QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.search.focus_search),
            "read-card": QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.read_card),
            "pay": QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.payment.focus_amount),
            "card": QShortcut(QKeySequence(Qt.Key.Key_F6), self, self.open_card_write),
            "check-meter": QShortcut(QKeySequence(Qt.Key.Key_F7), self, self.check_meter),
            "reversal": QShortcut(QKeySequence(Qt.Key.Key_F8), self, self.open_reversal),
            "print": QShortcut(QKeySequence(Qt.Key.Key_F9), self, self.print_receipt),
            "reprint": QShortcut(QKeySequence("Ctrl+P"), self, self.reprint_receipt),
            "next": QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.next_customer),
            "back-office": QShortcut(QKeySequence(Qt.Key.Key_F10), self, self.open_back_office),
        }

    def fit_to_screen(self) -> None:
        """1366×768 at most, and never more than the screen's free area: a counter screen of
        1366×768 with a task bar still shows the whole window, status bar included."""
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 1366, 768
        if area is not None and area.width() > 0 and area.height() > 0:
            width, height = min(width, area.width()), min(height, area.height())
        self.resize(width, height)

    def _wire_events(self) -> None:
        self.search.sig_customer_chosen.connect(self.open_customer)
        self.search.sig_read_card_requested.connect(self.read_card)
        self.payment.sig_pay_requested.connect(self.request_payment)
        self.card_button.clicked.connect(self.open_card_write)
        self.print_button.clicked.connect(self.print_receipt)
        self.reprint_button.clicked.connect(self.reprint_receipt)
        self.reversal_button.clicked.connect(self.open_reversal)
        self.offset_button.clicked.connect(self.open_offset)
        self.transfer_button.clicked.connect(self.open_transfer)
        self.next_button.clicked.connect(self.next_customer)
        self.office_button.clicked.connect(self.open_back_office)
        self.events.sig_card_inserted.connect(self._on_card_inserted)
        self.events.sig_card_removed.connect(self._on_card_removed)
        self.events.sig_service_changed.connect(self._on_service_changed)
        self._update_actions()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Electricity purchase counter"))
        self.title_label.setText(self.tr("Electricity purchase counter"))
        name = getattr(self.user, "full_name", "") or getattr(self.user, "username", "")
        self.user_label.setText(
            self.tr("Operator: {name} ({role})").format(
                name=name, role=texts.role(str(getattr(self.user, "role", "")))
            )
        )
        self.counter_label.setText(
            self.tr("Counter: {counter}").format(counter=self.context.counter_id)
        )
        self._show_shift()
        self._show_reader_state()
        self.card_button.setText(self.tr("Write purchase card (F6)"))
        self.print_button.setText(self.tr("Print receipt (F9)"))
        self.reprint_button.setText(self.tr("Reprint as COPY (Ctrl+P)"))
        self.reversal_button.setText(self.tr("Reversal… (F8)"))
        self.offset_button.setText(self.tr("Offset arrears from prepayment…"))
        self.transfer_button.setText(self.tr("Transfer prepayment…"))
        self.next_button.setText(self.tr("Next customer (Esc)"))
        self.office_button.setText(self.tr("Back office… (F10)"))
        self.hints.setText(
            self.tr(
                "F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · "
                "F7 check meter · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · "
                "F10 back office"
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_shift(self) -> None:
        """The cash shift (班次) the teller opened, else the day/night shift of the sign-in."""
        cash = self.cash_shift
        if cash is not None:
            self.shift_label.setText(
                self.tr("Shift no. {id} (opened {time})").format(
                    id=cash.id, time=cash.opened_at.strftime("%m-%d %H:%M")
                )
            )
            return
        shift, day = shift_of(self.signed_in_at)
        shift_text = self.tr("day shift") if shift == "day" else self.tr("night shift")
        self.shift_label.setText(
            self.tr("Shift: {day} {shift} (since {time})").format(
                day=day.isoformat(), shift=shift_text, time=self.signed_in_at.strftime("%H:%M")
            )
        )

    def load_cash_shift(self) -> None:
        """Ask the shift service (if any) for the teller's live cash shift."""
        shifts = self.context.shifts
        if shifts is None:
            return
        user = self.user

        def done(view: ShiftView | None) -> None:
            self.cash_shift = view
            self._show_shift()

        self.workers.submit(
            self.workers.db,
            "current-shift",
            lambda _r: shifts.current_shift(user),
            on_done=done,
            on_error=lambda exc: log.info("no cash shift shown: %r", exc),
        )

    def _update_actions(self) -> None:
        """Each action is on only when it has something to act on (F6, Ctrl+P, F8)."""
        idle = not self._money_busy
        self.payment.set_enabled_for(self.account if idle else None)
        self.card_button.setEnabled(
            idle and self.context.purchase_card is not None and self.card_work_waiting()
        )
        self.print_button.setEnabled(self.last_outcome is not None and idle)
        self.reprint_button.setEnabled(idle and self._payments() != ())
        self.reversal_button.setEnabled(idle and any(not p.reversed for p in self._payments()))
        account = self.account
        self.offset_button.setEnabled(
            account is not None and idle and account.arrears_fen > 0 and account.prepayment_fen > 0
        )
        self.transfer_button.setEnabled(account is not None and idle and account.prepayment_fen > 0)

    def _payments(self) -> tuple[counter_views.PaymentRow, ...]:
        return self.account.payments if self.account is not None else ()

    def card_work_waiting(self) -> bool:
        """Is there anything to write to a purchase card for this customer?

        A failed or work-order purchase (R10), an unconfirmed card write (R16), or prepayment
        waiting for one of the household's card meters (R6).
        """
        account = self.account
        if account is None:
            return False
        if any(p.state in ("failed", "work-order", "card-writing") for p in account.purchases):
            return True
        return account.prepayment_fen > 0 and bool(counter_views.card_meters(account))

    def _card_next_step(self) -> str:
        """The card as the next step, or why it cannot be written at this counter."""
        if self.context.purchase_card is None:
            return self.tr(
                "This counter has no card reader (F6 is off): write the card at a counter "
                "with a reader."
            )
        return self.tr("Write the card now (F6).")

    @property
    def money_busy(self) -> bool:
        return self._money_busy

    def _set_money_busy(self, busy: bool) -> None:
        self._money_busy = busy
        self._update_actions()

    # -- customer ------------------------------------------------------------------------------
    def open_customer(self, customer_no: str) -> None:
        self._wanted_customer = customer_no
        self.statusBar().showMessage(
            self.tr("Loading {customer_no}…").format(customer_no=customer_no)
        )
        self.workers.submit(
            self.workers.db,
            "load-account",
            lambda _report: counter_views.load_account(customer_no),
            on_done=self._on_account,
            on_error=lambda exc: show_exception(self, exc),
        )

    def reload_account(self) -> None:
        if self.account is not None:
            self.open_customer(self.account.customer_no)

    def _on_account(self, account: counter_views.Account) -> None:
        if account.customer_no != self._wanted_customer:
            return  # an answer for a customer the teller has already left
        changed = self.account is None or self.account.customer_no != account.customer_no
        self.account = account
        self.account_view.show_account(account)
        self.statusBar().clearMessage()
        if changed:
            self.last_outcome = None
            self.last_dispatch = None
            self._stop_watching()
            self.channel_health = {}
            self.progress.clear()
            self.payment.clear()
            if not self._money_busy:
                self.payment.set_enabled_for(account)
                self.payment.focus_amount()
        self._update_actions()
        self._load_channel_health(account)
        self.sig_account_loaded.emit(account)

    def _load_channel_health(self, account: counter_views.Account) -> None:
        """Ask the collection system how each remote meter's channel fared today (off the
        GUI thread); the account view shows it, with a card suggestion after repeated
        failures."""
        dispatch = self.context.dispatch
        if dispatch is None or not dispatch.hands_over:
            return
        meters = [m for m in account.meters if m.active and m.collection_capable]
        customer_no = account.customer_no
        for m in meters:

            def ask(_report: Report, address: str = m.address) -> ChannelHealth | None:
                return dispatch.channel_health(address)

            def done(health: ChannelHealth | None, meter_no: str = m.meter_no) -> None:
                self._on_channel_health(customer_no, meter_no, health)

            def failed(exc: BaseException, meter_no: str = m.meter_no) -> None:
                self._on_channel_health(customer_no, meter_no, exc)

            self.workers.submit(
                self.workers.network, "channel-health", ask, on_done=done, on_error=failed
            )

    def _on_channel_health(
        self, customer_no: str, meter_no: str, health: ChannelHealth | BaseException | None
    ) -> None:
        if self.account is None or self.account.customer_no != customer_no:
            return  # the teller has moved on
        self.channel_health[meter_no] = health
        self.account_view.show_channel_health(self.channel_health)

    def next_customer(self) -> None:
        """Esc: clear everything for the next customer (not while money is moving)."""
        if self._money_busy:
            self.statusBar().showMessage(
                self.tr("Wait: the current payment is still being processed."), 4000
            )
            return
        self.account = None
        self._wanted_customer = None
        self.last_outcome = None
        self.last_dispatch = None
        self._stop_watching()
        self.channel_health = {}
        self.account_view.clear()
        self.payment.clear()
        self.progress.clear()
        self.search.clear()
        self._update_actions()
        self.search.focus_search()

    # -- payment -------------------------------------------------------------------------------
    def request_payment(self, amount_fen: int, channel: str) -> None:
        """Pay pressed: show what will happen (R1–R6) and wait for the confirmation."""
        account = self.account
        if account is None or self._money_busy:
            return
        if self.confirm_dialog is not None and self.confirm_dialog.isVisible():
            return  # a second Enter while the confirmation is open
        from counter_app.core.channels import Channel

        try:
            plan = account.plan(amount_fen, Channel(channel))
        except PlanError as exc:
            self.payment.error.setText(explain(exc) or str(exc))
            return
        tendered = self.payment.tendered_fen() if channel == Channel.COUNTER.value else None
        cash = (tendered, tendered - amount_fen) if tendered is not None else None
        dialog = ConfirmPaymentDialog(
            account, plan, self, warnings=self.desk_warnings(account, plan), cash=cash
        )
        dialog.sig_confirmed.connect(lambda: self.take_payment(amount_fen, channel, tendered))
        dialog.finished.connect(self._reactivate)
        self.confirm_dialog = dialog
        dialog.open()

    def desk_warnings(self, account: counter_views.Account, plan: PaymentPlan) -> list[str]:
        """What the teller must check with the customer before taking the money.

        A large amount (the hall's threshold, ``[desk] large_amount_yuan``), and a purchase that
        would take the meter's last known balance past the hoarding limit (R21): the meter
        would refuse it, and the money would wait in prepayment.
        """
        from counter_app.core.desk import hoarding_warning, is_large
        from counter_app.core.payment_plan import Route

        desk = self.context.desk
        warnings = []
        if is_large(plan.amount_fen, desk.large_amount_fen):
            warnings.append(
                self.tr("Large amount: {amount}. Check the amount with the customer.").format(
                    amount=texts.yuan(plan.amount_fen)
                )
            )
        if plan.route is Route.REMOTE and plan.purchase is not None:
            meter = account.meter(plan.purchase.meter_id)
            warning = hoarding_warning(
                meter.last_balance_fen, plan.purchase.amount_fen, desk.hoarding_limit_fen
            )
            if warning is not None:
                warnings.append(
                    self.tr(
                        "Meter {meter} last showed {balance}; with this purchase it would hold "
                        "{after}, above its hoarding limit of {limit} (R21). The meter will "
                        "refuse it: at most {room} can be loaded now."
                    ).format(
                        meter=meter.meter_no,
                        balance=texts.yuan(warning.balance_fen),
                        after=texts.yuan(warning.after_fen),
                        limit=texts.yuan(warning.limit_fen),
                        room=texts.yuan(warning.room_fen),
                    )
                )
        return warnings

    def take_payment(self, amount_fen: int, channel: str, tendered_fen: int | None = None) -> None:
        account = self.account
        if account is None or self._money_busy:
            return
        self._set_money_busy(True)
        self.last_tendered = tendered_fen
        self.progress.clear()
        self.progress.set_outcome(self.tr("Recording the payment…"), "working")
        operator = str(self.user.username)
        customer_no = account.customer_no
        # with a collection system the task is written in the payment's own transaction
        # (never lost between "paid" and "sent"); the meter thread then follows it
        hands_over = bool(self.context.dispatch.hands_over)
        self._stop_watching()

        def pay(_report: Report) -> PaymentOutcome:
            return self.context.payments.take_payment(
                customer_no,
                amount_fen,
                channel=channel,
                operator=operator,
                dispatch=hands_over,
                follow=False,
                tendered_fen=tendered_fen,
            )

        self.workers.submit(
            self.workers.db,
            "take-payment",
            pay,
            on_done=self._on_payment_recorded,
            on_error=self._on_money_error,
        )

    def _on_money_error(self, exc: BaseException) -> None:
        self._set_money_busy(False)
        self.progress.set_outcome(explain(exc) or self.tr("The step failed."), "failure")
        show_exception(self, exc)
        self.reload_account()

    def _on_payment_recorded(self, outcome: PaymentOutcome) -> None:
        self.last_outcome = outcome
        self.payments_taken += 1
        self.payment.clear()
        self.progress.add_step(
            self.tr("Payment recorded, receipt {receipt_no}.").format(receipt_no=outcome.receipt_no)
        )
        if self.last_tendered is not None:
            self.progress.add_step(
                self.tr("Cash tendered {tendered}: give back {change}.").format(
                    tendered=texts.yuan(self.last_tendered),
                    change=texts.yuan(self.last_tendered - outcome.amount_fen),
                )
            )
            self.payment.hold_change(self.last_tendered - outcome.amount_fen)
        if outcome.settlements:
            self.progress.add_step(
                self.tr("Arrears settled: {fen}.").format(
                    fen=texts.yuan(sum(f for _b, f in outcome.settlements))
                )
            )
        if outcome.purchase_id is not None and outcome.route == "remote":
            self.progress.add_step(
                self.tr("Purchase no. {count} of {fee} goes to meter {address}.").format(
                    count=outcome.purchase_count,
                    fee=texts.yuan(outcome.adjusted_fee_fen),
                    address=outcome.meter_address,
                )
            )
            self._dispatch(outcome.purchase_id)
            return
        reason = texts.reason(outcome.reason)
        if outcome.route == "card":
            self.progress.set_outcome(
                sentences(
                    self.tr("Kept in prepayment: {reason}.").format(reason=reason),
                    self._card_next_step(),
                ),
                "success",
            )
        else:
            self.progress.set_outcome(
                self.tr("Kept in prepayment: {reason}.").format(reason=reason), "success"
            )
        self._payment_done()

    def _dispatch(self, purchase_id: int) -> None:
        self.progress.set_outcome(self.tr("Sending to the meter…"), "working")
        operator = str(self.user.username)

        def run(report: Report) -> DispatchSummary:
            self.dispatch_thread = threading.current_thread().name  # the meter bus's owner

            def progress(step: str, attempt: int) -> None:
                report((step, attempt))

            return self.context.dispatch.carry_out(purchase_id, operator, progress)

        self.workers.submit(
            self.workers.meter_bus,
            "dispatch",
            run,
            on_progress=self._on_dispatch_step,
            on_done=self._on_dispatched,
            on_error=self._on_money_error,
        )

    def _on_dispatch_step(self, step: tuple[str, int]) -> None:
        name, attempt = step
        self.progress.add_step(
            self.tr("Attempt {attempt} of {of}: {step}").format(
                attempt=attempt, of=MAX_ATTEMPTS, step=texts.step(str(name))
            )
        )
        self.progress.set_outcome(
            self.tr("Sending to the meter: {step} (attempt {attempt} of {of})…").format(
                step=texts.step(str(name)), attempt=attempt, of=MAX_ATTEMPTS
            ),
            "working",
        )

    def _on_dispatched(self, summary: DispatchSummary) -> None:
        self.last_dispatch = summary
        if summary.pending:
            self._show_pending(summary)
            self._watch(summary.purchase_id)
            self._payment_done()
            return
        self._show_final(summary)
        self._payment_done()

    def _show_pending(self, summary: DispatchSummary) -> None:
        """下发中 — result not yet known: a normal state; the teller may print the receipt and
        serve the next customer, the result arrives by itself (and by SMS)."""
        if summary.outcome == "outbox":
            text = self.tr(
                "Result not yet known (下发中): the collection system cannot be reached; the "
                "task waits in the outbox and is sent when it is back. The receipt says "
                "下发中 and the customer gets the result by SMS. Do not take the money again."
            )
        else:
            text = self.tr(
                "Result not yet known (下发中): the collection system has the task for "
                "purchase no. {count}. The receipt says 下发中 and the customer gets the "
                "result by SMS. Do not take the money again."
            ).format(count=summary.count)
        self.progress.set_outcome(text, "pending")

    def _watch(self, purchase_id: int) -> None:
        self._watched_purchase = purchase_id
        self._watch_timer.start(WATCH_INTERVAL_MS)

    def _stop_watching(self) -> None:
        self._watched_purchase = None
        self._watch_timer.stop()

    @property
    def watching(self) -> int | None:
        """The purchase whose result the window is waiting for (下发中), if any."""
        return self._watched_purchase

    def _look_at_watched(self) -> None:
        purchase_id = self._watched_purchase
        if purchase_id is None:
            return
        dispatch = self.context.dispatch

        def look(_report: Report) -> DispatchSummary:
            return dispatch.purchase_status(purchase_id)

        def seen(summary: DispatchSummary) -> None:
            if self._watched_purchase != purchase_id:
                return
            if summary.pending:
                self._watch_timer.start(WATCH_INTERVAL_MS)
                return
            self._stop_watching()
            self.last_dispatch = summary
            self.progress.add_step(
                self.tr(
                    "The collection system reported the result of purchase no. {count}."
                ).format(count=summary.count)
            )
            self._show_final(summary)
            self.reload_account()

        def failed(exc: BaseException) -> None:
            log.info("cannot look at purchase %s: %r", purchase_id, exc)
            if self._watched_purchase == purchase_id:
                self._watch_timer.start(WATCH_INTERVAL_MS)

        self.workers.submit(self.workers.db, "watch-purchase", look, on_done=seen, on_error=failed)

    def _show_final(self, summary: DispatchSummary) -> None:
        if summary.loaded:
            balance = texts.yuan(summary.balance_fen) if summary.balance_fen is not None else "—"
            self.progress.set_outcome(
                self.tr("Loaded: {outcome}. Meter balance now {balance}.").format(
                    outcome=texts.outcome(summary.outcome), balance=balance
                ),
                "success",
            )
        elif summary.work_order_id is None and summary.state == "dispatching":
            text = self.tr(
                "Unresolved: {outcome}. Do not take the money again. Next step: press F7 to "
                "check the meter (R8): the purchase is then loaded, or a re-dispatch work "
                "order opens (R10)."
            ).format(outcome=texts.outcome(summary.outcome))
            self.progress.set_outcome(text, "failure")
        else:
            text = sentences(
                self.tr(
                    "Not loaded: {outcome} after {attempts} attempt(s). A re-dispatch work "
                    "order is open (R10)."
                ).format(outcome=texts.outcome(summary.outcome), attempts=summary.attempts),
                self._card_next_step(),
            )
            self.progress.set_outcome(text, "failure")

    def check_meter(self) -> None:
        """F7: R8/R10 for this customer's purchases — probe the meter of every unresolved
        dispatch, send queued ones, open a work order for failed ones — so that no purchase
        waits without a next step (`services.recovery`)."""
        account = self.account
        if account is None or self._money_busy:
            return
        self._set_money_busy(True)
        self.progress.set_outcome(self.tr("Checking the meter (R8)…"), "working")
        operator = str(self.user.username)
        recovery = self.context.services.recovery
        customer_id = int(account.id)

        def run(_report: Report) -> ResumeResult:
            return recovery.resume(operator, customer_id=customer_id)

        self.workers.submit(
            self.workers.meter_bus,
            "check-meter",
            run,
            on_done=self._on_meter_checked,
            on_error=self._on_money_error,
        )

    def _on_meter_checked(self, result: ResumeResult) -> None:
        loaded = sum(1 for s in result.summaries if s.loaded)
        orders = {s.work_order_id for s in result.summaries if s.work_order_id is not None}
        orders |= set(result.work_orders_opened)
        if not result.summaries and not orders:
            text = self.tr("Nothing waits for the meter: every purchase has its next step.")
            kind = "success"
        else:
            text = self.tr(
                "Meter checked: {loaded} purchase(s) loaded; {orders} re-dispatch work "
                "order(s) open (R10): inspection staff retry them, or write the card (F6)."
            ).format(loaded=loaded, orders=len(orders))
            kind = "success" if not orders else "failure"
        if result.skipped:
            text += " " + self.tr("No meter link is configured: the purchases stay queued.")
        self.progress.set_outcome(text, kind)
        self._set_money_busy(False)
        self.reload_account()

    def _payment_done(self) -> None:
        self._set_money_busy(False)
        self.reload_account()
        self.sig_payment_finished.emit(self.last_outcome)
        self.print_button.setFocus()

    # -- receipts ------------------------------------------------------------------------------
    def print_receipt(self) -> None:
        """F9: preview the last payment's receipt (original the first time, COPY after)."""
        if self.last_outcome is None or self._money_busy:
            return
        self._show_receipt(int(self.last_outcome.payment_id))

    def reprint_receipt(self) -> None:
        """Ctrl+P: reprint the selected (or latest) payment of this customer as a COPY."""
        if self._money_busy:
            return
        if self.account is None or not self.account.payments:
            self.statusBar().showMessage(
                self.tr("Nothing to reprint: open a customer who has paid (F2)."), 5000
            )
            return
        rows = self.account_view.payments_view.selectionModel().selectedRows()
        index = rows[0].row() if rows else 0
        payment = self.account.payments[min(index, len(self.account.payments) - 1)]
        self._show_receipt(payment.id, force_copy=True)

    def _show_receipt(self, payment_id: int, force_copy: bool = False) -> None:
        def build(_report: Report) -> ReceiptData:
            return counter_views.payment_receipt(payment_id)

        def show(data: ReceiptData) -> None:
            copy = force_copy or data.receipt_no in self.receipts_printed
            self.open_receipt(data, copy)

        self.workers.submit(
            self.workers.db,
            "receipt",
            build,
            on_done=show,
            on_error=lambda exc: show_exception(self, exc),
        )

    def open_receipt(self, data: ReceiptData, copy: bool) -> None:
        data = self.as_printed(data, copy)
        self.last_receipt = data
        self.preview = ReceiptPreviewDialog(
            data,
            copy=copy,
            training=self.context.training,
            paper=self.context.paper,
            printer_name=self.context.printer_name,
            thermal=self.context.receipt_printer,
            parent=self,
        )
        self.receipts_printed.add(data.receipt_no)
        self.preview.finished.connect(self._reactivate)
        self.preview.open()

    def as_printed(self, data: ReceiptData, copy: bool) -> ReceiptData:
        """The receipt as this hall prints it: supplier, hall and tariff from the settings,
        and on a COPY when and by whom it is reprinted (the original's time stays)."""
        import dataclasses

        desk = self.context.desk
        data = dataclasses.replace(data, supplier=desk.supplier, hall=desk.hall, tariff=desk.tariff)
        if copy:
            name = getattr(self.user, "full_name", "") or getattr(self.user, "username", "")
            data = dataclasses.replace(data, reprinted_at=dt.datetime.now(), reprinted_by=str(name))
        return data

    # -- card ----------------------------------------------------------------------------------
    def read_card(self) -> None:
        """F3: read the card in the reader and open its customer."""
        card = self.context.purchase_card
        if card is None:
            self.statusBar().showMessage(self.tr("No card reader is available."), 5000)
            return
        self.statusBar().showMessage(self.tr("Reading the card…"))

        operator = str(self.user.username)
        cards = self.context.cards

        def read(_report: Report) -> CardContents:
            return card.read_card()

        def apply_writeback(contents: CardContents, wb: WriteBack) -> None:
            """R13: the meter's figures on the card update what the system knows."""
            writebacks = cards
            assert writebacks is not None
            self.workers.submit(
                self.workers.db,
                "apply-writeback",
                lambda _r: writebacks.apply_card_writeback(wb, operator=operator),
                on_done=lambda result: self._on_writeback(wb, result),
                on_error=lambda exc: show_exception(self, exc),
            )

        def done(contents: CardContents) -> None:
            self.last_card = contents
            if contents.write_back is not None and cards is not None:
                apply_writeback(contents, contents.write_back)
            self.statusBar().showMessage(
                self.tr("Card {serial}: customer {customer_no}, meter {meter_no}.").format(
                    serial=contents.serial,
                    customer_no=contents.customer_no,
                    meter_no=contents.meter_no,
                ),
                8000,
            )
            self.search.search_now(contents.customer_no)
            self.open_customer(contents.customer_no)

        def refused(exc: BaseException) -> None:
            """A blocked, forged or foreign card is audited (I3) as well as explained."""
            if cards is not None and isinstance(exc, CardError):
                self.workers.submit(
                    self.workers.db,
                    "card-refusal",
                    lambda _r: cards.record_card_refusal(exc, operator=operator),
                    on_done=lambda _a: None,
                    on_error=lambda _e: None,
                )
            show_exception(self, exc)

        self.workers.submit(
            self.workers.card_reader,
            "read-card",
            read,
            on_done=done,
            on_error=refused,
        )

    def _on_writeback(self, write_back: WriteBack, result: WritebackResult) -> None:
        self.last_writeback = result
        text = self.tr(
            "Write-back of meter {meter_no}: balance {balance}, count {count}; "
            "{loaded} purchase(s) confirmed loaded (R13)."
        ).format(
            meter_no=write_back.meter_no,
            balance=texts.yuan(write_back.remaining_fen),
            count=write_back.count,
            loaded=len(result.loaded_purchase_ids),
        )
        if result.flags:
            text += " " + self.tr("To reconcile: {flags}").format(flags="; ".join(result.flags))
        self.progress.add_step(text)
        self.statusBar().showMessage(text, 10000)
        self.reload_account()

    def open_card_write(self) -> None:
        if self.account is None or self._money_busy:
            return
        if self.context.purchase_card is None:
            self.statusBar().showMessage(self.tr("No card reader is available."), 5000)
            return
        if not self.card_work_waiting():
            self.statusBar().showMessage(
                self.tr("Nothing to write to a card for this customer."), 5000
            )
            return
        from counter_app.ui.card_write import CardWriteDialog

        preferred = None
        if self.last_outcome is not None and self.last_outcome.purchase_id is not None:
            preferred = self.last_outcome.purchase_id
        dialog = CardWriteDialog(
            self.context,
            self.workers,
            self.events,
            self.account,
            self.user,
            failed_purchase_id=preferred,
            parent=self,
        )
        dialog.sig_written.connect(self._on_card_written)
        dialog.finished.connect(lambda _r: self.reload_account())
        dialog.finished.connect(self._reactivate)
        self.card_dialog = dialog
        dialog.open()

    def _on_card_written(self, receipt: ReceiptData | None) -> None:
        self.reload_account()
        if receipt is not None:
            self.open_receipt(receipt, copy=False)

    def _show_reader_state(self) -> None:
        texts_by_state = {
            "ready": self.tr("Card reader: ready"),
            "unavailable": self.tr("Card reader: not available"),
            "inserted": self.tr("Card reader: card inserted"),
            "removed": self.tr("Card reader: no card"),
            "stopped": self.tr("Card reader: PC/SC service stopped"),
        }
        state = self._reader_state
        if state is None:
            state = "ready" if self.context.purchase_card is not None else "unavailable"
        self.reader_label.setText(texts_by_state[state])

    def _on_card_inserted(self, reader: str) -> None:
        self._reader_state = "inserted"
        self._show_reader_state()

    def _on_card_removed(self, reader: str) -> None:
        self._reader_state = "removed"
        self._show_reader_state()

    def _on_service_changed(self, up: bool) -> None:
        self._reader_state = "ready" if up else "stopped"
        self._show_reader_state()

    # -- reversal ------------------------------------------------------------------------------
    def _may_use_back_office(self) -> bool:
        from counter_app.ui.backoffice.window import visible_tabs

        return self.context.counter is not None and bool(visible_tabs(self.user))

    def open_back_office(self) -> None:
        """Shifts and cash, work orders, success board… in their own window.

        Only the tabs the user's role may use; the services check the role again.
        """
        if not self._may_use_back_office():
            return
        if self.back_office is None:
            from counter_app.ui.backoffice.window import back_office_for

            self.back_office = back_office_for(self.context, self.user, self.workers, self.events)
            # a window of its own that closes with the counter window
            self.back_office.setParent(self, Qt.WindowType.Window)
        self.back_office.show()
        self.back_office.raise_()
        self.back_office.activateWindow()

    def open_reversal(self) -> None:
        if self._money_busy:
            return
        if self.account is None or not any(not p.reversed for p in self.account.payments):
            self.statusBar().showMessage(
                self.tr("Nothing to reverse: this customer has no payment that can be reversed."),
                5000,
            )
            return
        from counter_app.ui.reversal import ReversalDialog

        rows = self.account_view.payments_view.selectionModel().selectedRows()
        index = rows[0].row() if rows else 0
        payment = self.account.payments[min(index, len(self.account.payments) - 1)]
        if payment.reversed:
            self.statusBar().showMessage(
                self.tr("Payment {receipt_no} is already reversed.").format(
                    receipt_no=payment.receipt_no
                ),
                5000,
            )
            return
        dialog = ReversalDialog(self.context, self.workers, self.user, self.account, payment, self)
        dialog.sig_reversed.connect(self._on_reversed)
        dialog.finished.connect(self._reactivate)
        self.reversal_dialog = dialog
        dialog.open()

    def open_offset(self) -> None:
        """R4: the prepayment settles arrears, a supervisor authorizing (a dialog)."""
        account = self.account
        if account is None or self._money_busy:
            return
        if account.arrears_fen <= 0 or account.prepayment_fen <= 0:
            return
        from counter_app.ui.offset import OffsetDialog

        dialog = OffsetDialog(self.context.services.offsets, self.workers, self.user, account, self)
        dialog.sig_offset.connect(lambda _outcome: self.reload_account())
        dialog.finished.connect(self._reactivate)
        self.offset_dialog = dialog
        dialog.open()

    def open_transfer(self) -> None:
        """R4: part of the prepayment goes to another customer, a supervisor authorizing."""
        account = self.account
        if account is None or self._money_busy or account.prepayment_fen <= 0:
            return
        from counter_app.ui.offset import TransferDialog

        dialog = TransferDialog(
            self.context.services.offsets, self.workers, self.user, account, self
        )
        dialog.sig_transferred.connect(lambda _outcome: self.reload_account())
        dialog.finished.connect(self._reactivate)
        self.offset_dialog = dialog
        dialog.open()

    def _on_reversed(self, receipt: ReceiptData | None) -> None:
        """The panel says the payment is reversed: its earlier next step (F6) is void now."""
        if receipt is not None:
            text = self.tr("Payment {receipt_no} reversed.").format(
                receipt_no=getattr(receipt, "original_receipt_no", None) or receipt.receipt_no
            )
        else:
            text = self.tr("The payment is reversed.")
        self.progress.add_step(text)
        self.progress.set_outcome(text, "success")
        self.reload_account()
        if receipt is not None:
            self.open_receipt(receipt, copy=False)

    def _reactivate(self, *_: object) -> None:
        """Back to the window after a dialog, so F-keys and Esc reach it at once."""
        if self.isVisible() and not any(
            d is not None and d.isVisible()
            for d in (
                self.confirm_dialog,
                self.preview,
                self.card_dialog,
                self.reversal_dialog,
                self.offset_dialog,
            )
        ):
            self.activateWindow()

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._money_busy:
            self.statusBar().showMessage(
                self.tr("Wait: the current payment is still being processed."), 4000
            )
            event.ignore()
            return
        self.retire_back_office()
        super().closeEvent(event)

    def retire_back_office(self) -> None:
        """The back office goes before the counter window does: its timer stopped and the
        window destroyed now, while this window is whole. Left to Qt, it would be destroyed
        as a child in the middle of this window's own destruction, when a late answer of its
        jobs or timer can reach a half-destroyed widget."""
        office, self.back_office = self.back_office, None
        if office is None or not shiboken6.isValid(office):
            return
        office.close()
        shiboken6.delete(office)
