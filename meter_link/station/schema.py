"""The shapes the station answers with, for its OpenAPI document.

The handlers build these objects from the store's views (``TaskView.to_json``); the models
here describe them for the marketing side's developers (``/openapi.json``) and are kept
next to the contract in ``docs/collection.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Step = Literal["channel-test", "count-check", "authentication", "recharge", "read-back", "waiting"]
ReasonName = Literal[
    "terminal-offline",
    "route-lost",
    "meter-silent",
    "link-refused",
    "count-mismatch",
    "security-refused",
    "hoarding-limit",
    "customer-mismatch",
    "meter-refused",
    "station-error",
]


class ErrorOut(BaseModel):
    """Every refusal: a code and the reason in words."""

    error: str = Field(examples=["conflict"])
    reason: str = Field(examples=["purchase 1 of meter 000000000001 is task pay-1 ..."])


class AttemptOut(BaseModel):
    """One attempt (R9): the dispatcher's outcome, the named cause, the figures read."""

    attempt: int = Field(ge=1, le=3)
    outcome: str = Field(examples=["success", "channel-failure", "timeout"])
    reason: ReasonName | None
    detail: str
    balance_fen: int | None
    meter_count: int | None
    started_at: str
    elapsed_ms: int
    steps_ms: dict[str, int]


class TaskOut(BaseModel):
    """A task: what was asked, where it is, and its result once ``done``."""

    task_id: str
    meter: str
    customer_no: str
    amount_fen: int
    count: int
    origin: str
    state: Literal["queued", "running", "done"]
    outcome: Literal["success", "already-loaded", "failed"] | None
    reason: ReasonName | None
    detail: str | None
    balance_fen: int | None
    meter_count: int | None
    attempts: list[AttemptOut]
    submitted_at: str
    finished_at: str | None
    result_seq: int | None


class StepEventOut(BaseModel):
    """``event: step`` of the task's event stream."""

    task_id: str
    attempt: int
    step: Step
    detail: str


class ResultsOut(BaseModel):
    """One page of finished tasks in result order."""

    results: list[TaskOut]
    last_seq: int


class AckOut(BaseModel):
    task_id: str
    delivered: bool


class ProbeOut(BaseModel):
    """R8's channel test and count read."""

    meter: str
    reachable: bool
    reason: ReasonName | None
    balance_fen: int | None
    overdraft_fen: int | None
    meter_count: int | None
    last_purchase_fen: int | None
    relay_open: bool | None


class MeterHealthOut(BaseModel):
    """The station's knowledge of a meter's channel."""

    meter: str
    last_good_read: str | None
    failures_today: int
    last_failure_reason: ReasonName | None


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    links: int
    queued: int
    running: int
