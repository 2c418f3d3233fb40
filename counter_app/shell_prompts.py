"""The shell's `CardPrompts`: ``counterctl card write`` asks the person at the terminal.

The same card-write procedure as the window's dialog (`services.cards.CardWriteProcedure`)
runs here; what happens is written to standard error, questions are answered with one line
each on standard input (Enter = yes, the card is in the reader; ``q`` or end of input = stop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from counter_app.core.money import format_yuan
from counter_app.services.ports import CardAnswer, CardCheck, CardNote, CardStep, CardWait


def _check_line(check: CardCheck) -> str:
    v = check.values
    if check.name == "meter":
        text = f"card is for meter {v['card_meter']}; chosen meter {v['meter']} (R12)"
    elif check.name == "serial":
        text = f"card serial {v['serial']} is the card registered for this meter (R12)"
    elif check.name == "count":
        text = (
            f"card count C = {v['card']}, last committed count = {v['committed']}: "
            f"the purchase gets n = {v['n']} (R12)"
        )
    elif check.name == "previous-loaded":
        text = "the previous purchase on the card has reached the meter (R12a)"
    else:
        amount = v["amount_fen"]
        text = f"{format_yuan(amount if isinstance(amount, int) else 0)} to write"
    return ("ok   " if check.ok else "FAIL ") + text


def _note_line(note: CardNote) -> str | None:
    v = note.values
    step = note.step
    contents = v.get("contents")
    ticket = v.get("ticket")
    error = v.get("error")
    lines: dict[CardStep, str] = {
        CardStep.READING: "reading the card",
        CardStep.WRITEBACK_FOUND: "write-back from the meter found (R13): applying",
        CardStep.RECORDING: "recording the card write before writing (R12)",
        CardStep.WRITE_INTERRUPTED: f"the write did not finish ({error}): reading the card again",
        CardStep.FOUND_WRITTEN: "the card does carry the purchase: confirming",
        CardStep.FOUND_UNCHANGED: "the card is unchanged: the write is abandoned; trying again",
        CardStep.FOUND_OTHER: "the card shows another purchase: call the supervisor",
        CardStep.REFUSED: f"card refused ({error}): send the customer to the technician",
        CardStep.READ_FAILED: f"the card could not be read: {error}",
        CardStep.RECORD_FAILED: f"refused: {error}",
    }
    if step is CardStep.CARD_READ and contents is not None:
        c: object = contents
        return (
            f"card {getattr(c, 'serial', '?')}: customer {getattr(c, 'customer_no', '?')}, "
            f"meter {getattr(c, 'meter_no', '?')}, purchase no. {getattr(c, 'count', '?')}"
        )
    if step is CardStep.WRITEBACK_APPLIED:
        result = v.get("result")
        return f"write-back applied: committed count {getattr(result, 'committed_count', '?')}"
    if step in (CardStep.WRITING, CardStep.REREADING) and ticket is not None:
        count = getattr(ticket, "count", "?")
        if step is CardStep.WRITING:
            amount = getattr(ticket, "amount_fen", 0)
            return f"writing purchase no. {count} of {format_yuan(amount)} to the card"
        return f"reading the card again: is purchase no. {count} on it? (R12)"
    if step is CardStep.READ_BACK and contents is not None:
        return f"read back: the card holds purchase no. {getattr(contents, 'count', '?')}"
    return lines.get(step)


class ShellCardPrompts:
    """`CardPrompts` on a terminal (or a pipe: one answer a line)."""

    def __init__(self, answers: TextIO, out: TextIO) -> None:
        self.answers = answers
        self.out = out

    def _say(self, text: str) -> None:
        print(f"  {text}", file=self.out, flush=True)

    def _ask(self, question: str) -> str | None:
        print(f"? {question} ", end="", file=self.out, flush=True)
        line = self.answers.readline()
        if not line or not self.answers.isatty():  # a piped answer is not echoed: end the line
            print("", file=self.out)
        if not line:
            return None
        return line.strip().lower()

    def note(self, note: CardNote) -> None:
        line = _note_line(note)
        if line:
            self._say(line)

    def insert_card(self, why: CardWait, values: Mapping[str, object]) -> bool:
        if why is CardWait.PUT_BACK:
            self._say(f"the card could not be read ({values.get('error')})")
            question = "put the card back into the reader, then press Enter (q: stop)"
        else:
            question = "insert the customer's card into the reader, then press Enter (q: stop)"
        answer = self._ask(question)
        return answer is not None and answer not in ("q", "quit", "n", "no")

    def confirm_write(self, checks: Sequence[CardCheck]) -> CardAnswer:
        for check in checks:
            self._say(_check_line(check))
        if all(c.ok for c in checks):
            answer = self._ask("write the card? [y/N]")
            return CardAnswer.WRITE if answer in ("y", "yes") else CardAnswer.CANCEL
        answer = self._ask("the card cannot be written; read it again? [y/N]")
        return CardAnswer.READ_AGAIN if answer in ("y", "yes") else CardAnswer.CANCEL

    def remove_card(self) -> None:
        self._say("card written: the customer may take the card to the meter")
