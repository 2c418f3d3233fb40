"""Who is at counterctl's shell: the operator signed in by ``counterctl login`` (a token file
readable by its owner only) or by ``--operator NAME`` with the password as the first line on
standard input, allowed the command's action by the window's role matrix.

Shared by every command module (`counter_app.cli`, `counter_app.cli_card`,
`counter_app.cli_business`), so none of them imports another.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING

from counter_app.cli_common import CliError, read_secret

if TYPE_CHECKING:
    from counter_app.bootstrap import Counter
    from counter_app.services.auth import SignedInUser

OPERATOR_HELP = (
    "who is at the shell (password as the first line on stdin); "
    "default: the user of 'counterctl login'"
)


# -- who is at the shell ----------------------------------------------------------------------


def session_file() -> str:
    """Where ``counterctl login`` keeps its token: ``$COUNTER_SESSION_FILE``, else in the data
    directory (`counter_app.config.data_dir`)."""
    from counter_app.config import data_dir

    return os.environ.get("COUNTER_SESSION_FILE") or str(data_dir() / "counterctl-session.json")


def write_session_file(content: dict[str, str]) -> str:
    """Write the token file atomically, readable by its owner only from the first byte."""
    path = session_file()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(content, fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_session_file(database_url: str) -> dict[str, str] | None:
    """The token file's content when it belongs to this database, else None."""
    from counter_app.store.database import redact_url

    try:
        with open(session_file(), encoding="utf-8") as fh:
            content = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("database") != redact_url(database_url):
        return None
    return {str(k): str(v) for k, v in content.items()}


def signed_in_operator(counter: Counter, args: argparse.Namespace, *actions: str) -> SignedInUser:
    """The signed-in operator, allowed at least one of `actions` (audited when refused).

    A live ``counterctl login`` session of the same name (or of anyone, without
    ``--operator``) is used; otherwise the password of ``--operator`` is read from standard
    input and checked like a sign-in at the window (lockout and audit included).
    """
    from counter_app.services import auth, sessions

    counter_id = str(counter.services.ctx.counter_id)
    name = getattr(args, "operator", None)
    user = None
    saved = read_session_file(counter.config.database_url)
    if saved is not None and (name is None or name == saved.get("username")):
        user = sessions.session_user(saved.get("token", ""))
        if user is None and name is None:
            raise CliError(
                f"the session of {saved.get('username')} has ended: sign in again "
                "(counterctl login NAME)"
            )
    if user is None:
        if not name:
            raise CliError(
                "nobody is signed in: run 'counterctl login NAME' first, or give "
                "--operator NAME with the password on standard input"
            )
        user = auth.sign_in(name, read_secret(f"password of {name}: "), counter_id=counter_id)
    if not any(user.may(a) for a in actions):
        auth.require(user, actions[0], counter_id=counter_id)  # audits the refusal and raises
    return user
