"""Success-rate study (not a test): remote purchases when one attempt succeeds about 80 %.

Failures are split between a terminal offline (the link really refused), a silent meter and a
reply lost after the meter applied the recharge (`tests.campaign.success_study`). Prints the
share loaded without the customer returning (3 attempts + work-order retries; goal >= 99 %)
and the share eventually loaded or refunded (goal 100 %); with ``--screenshot`` renders the
back office's success board on that data (offscreen, Chinese, as a supervisor sees it).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/success_rate.py \
        --purchases 1000 --screenshot docs/images/success-rate-board.png
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def screenshot(path: Path, workdir: Path) -> None:
    """The supervisor's success board tab over the study's database (the embedded demo's way
    of grabbing the real back-office window, `scripts/supervisor_screenshots.py`)."""
    from PySide6.QtWidgets import QApplication
    from supervisor_screenshots import install_back_office_translations, wait_until

    from counter_app.services import auth
    from counter_app.services.context import ServiceContext
    from counter_app.services.registry import build_services
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.backoffice.window import BackOfficeWindow
    from counter_app.ui.resources import Language, register_cjk_font, style_sheet
    from counter_app.ui.workers import Workers

    app = QApplication.instance() or QApplication(sys.argv[:1])
    register_cjk_font()
    app.setStyleSheet(style_sheet())  # type: ignore[attr-defined]
    Language().install("zh_CN")
    keep = install_back_office_translations(app)
    services = build_services(ServiceContext(counter_id="study"))
    workers = Workers()
    ctx = BackOfficeContext(
        services=services, counter_id="study", workers=workers, data_dir=workdir
    )
    window = BackOfficeWindow(ctx, auth.get_user("super1"))
    window.resize(1180, 760)
    window.show()
    board = window.tab("success-board")
    window.show_tab("success-board")
    wait_until(lambda: board.board is not None and board.busy == 0, timeout=60)
    path.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(path))
    window.close()
    workers.shutdown()
    del keep


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--purchases", type=int, default=1000)
    parser.add_argument("--meters", type=int, default=50)
    parser.add_argument("--success", type=float, default=0.8, help="one attempt's success rate")
    parser.add_argument("--retries", type=int, default=3, help="work-order retries per order")
    parser.add_argument("--seed", type=int, default=20130601)
    parser.add_argument("--screenshot", metavar="PNG", help="render the success board here")
    args = parser.parse_args()

    from counter_app.services import auth
    from counter_app.services.success_board import compute_board
    from tests.campaign.success_study import run_study

    auth.set_password_hasher(auth.make_password_hasher(fast=True))
    with tempfile.TemporaryDirectory(prefix="success-study-") as tmp:
        started = time.monotonic()
        figures = run_study(
            Path(tmp),
            purchases=args.purchases,
            meters=args.meters,
            success=args.success,
            retries=args.retries,
            seed=args.seed,
        )
        for line in figures.lines():
            print(line)
        o = compute_board().overall
        print(
            f"success board: {o.total} dispatched; first attempt {o.first_attempt_rate:.1f}%, "
            f"within 3 attempts {o.within_three_rate:.1f}%, after work orders "
            f"{o.after_work_orders_rate:.1f}%; failed rounds by cause {dict(o.failures)}"
        )
        print(f"({time.monotonic() - started:.0f} s)")
        if args.screenshot:
            screenshot(Path(args.screenshot), Path(tmp))
            print(f"screenshot: {args.screenshot}")
    ok = figures.share(figures.without_return) >= 99.0 and figures.stranded == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
