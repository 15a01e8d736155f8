# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.
# Calling an @rx.event handler with an argument is fine at run time but not to mypy: ignored.)
"""Process definitions: the list, and forms to register and edit one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from eventlog_schemas import CreateProcessRequest, UpdateProcessRequest
from eventlog_sdk import EventLogApiError

from . import api, ui
from .views import ProcessRow, process_row


def _optional_positive(raw: str, label: str) -> int | None:
    text = raw.strip().replace("_", "").replace(",", "")
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{label} must be a whole number") from None
    if value <= 0:
        raise ValueError(f"{label} must be greater than 0")
    return value


def definition_request(form: dict[str, Any]) -> CreateProcessRequest:
    """A registration request from the form's fields (``ValueError`` says what is wrong)."""
    values = {
        k: str(form.get(k, "")).strip()
        for k in ("process_name", "display_name", "description", "owning_team")
    }
    missing = [k.replace("_", " ") for k, v in values.items() if not v]
    if missing:
        raise ValueError("Please fill in: " + ", ".join(missing))
    return CreateProcessRequest(
        process_name=values["process_name"],
        display_name=values["display_name"],
        description=values["description"],
        owning_team=values["owning_team"],
        expected_steps=_optional_positive(str(form.get("expected_steps", "")), "Expected steps"),
        sla_ms=_optional_positive(str(form.get("sla_ms", "")), "SLA (ms)"),
    )


def update_request(form: dict[str, Any]) -> UpdateProcessRequest:
    """An edit request: every field of the form (empty steps/SLA clear them)."""
    create = definition_request(form)
    return UpdateProcessRequest(
        display_name=create.display_name,
        description=create.description,
        owning_team=create.owning_team,
        expected_steps=create.expected_steps,
        sla_ms=create.sla_ms,
        is_active=str(form.get("is_active", "")).lower() in {"on", "true", "1"},
    )


def _api_problem(exc: EventLogApiError) -> str:
    details = exc.error.details or []
    if details:
        return "; ".join(f"{d.field}: {d.message}" for d in details)
    return exc.error.message


class ProcessesState(rx.State):
    """The registered processes and the register/edit dialog."""

    rows: rx.Field[list[ProcessRow]] = rx.field(default_factory=list)
    loading: bool = True
    error: str = ""
    dialog_open: bool = False
    editing: str = ""
    """The process being edited, or ``""`` when registering a new one."""
    form_error: str = ""
    # The form's starting values (one var per field: Reflex types dict vars poorly).
    draft_process_name: str = ""
    draft_display_name: str = ""
    draft_description: str = ""
    draft_owning_team: str = ""
    draft_expected_steps: str = ""
    draft_sla_ms: str = ""
    draft_active: bool = True
    saving: bool = False

    @rx.event
    async def on_load(self) -> AsyncIterator[None]:
        """Fetch the definitions."""
        self.loading = True
        self.error = ""
        yield
        await self._fetch(fresh=True)

    async def _fetch(self, *, fresh: bool = False) -> None:
        try:
            definitions = await api.process_definitions(fresh=fresh)
        except Exception as exc:
            self.error = api.error_text(exc)
            self.loading = False
            return
        now = datetime.now(UTC)
        self.rows = [
            process_row(d, now) for d in sorted(definitions, key=lambda d: d.display_name.lower())
        ]
        self.loading = False

    @rx.event
    async def reload(self) -> None:
        """Fetch again."""
        await self._fetch(fresh=True)

    @rx.event
    def start_register(self) -> None:
        """Open an empty form."""
        self.editing = ""
        self._set_draft("", "", "", "", "", "")
        self.draft_active = True
        self.form_error = ""
        self.dialog_open = True

    @rx.event
    def start_edit(self, process_name: str) -> None:
        """Open the form filled with one definition."""
        row = next((r for r in self.rows if r.process_name == process_name), None)
        if row is None:
            return
        self.editing = process_name
        self._set_draft(
            row.process_name,
            row.display_name,
            row.description,
            row.owning_team,
            row.expected_steps_raw,
            row.sla_ms,
        )
        self.draft_active = row.is_active
        self.form_error = ""
        self.dialog_open = True

    def _set_draft(self, *values: str) -> None:
        (
            self.draft_process_name,
            self.draft_display_name,
            self.draft_description,
            self.draft_owning_team,
            self.draft_expected_steps,
            self.draft_sla_ms,
        ) = values

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        """Open or close the dialog."""
        self.dialog_open = value

    @rx.event
    def set_draft_active(self, value: bool) -> None:
        """The edit form's active switch."""
        self.draft_active = value

    @rx.event
    async def save(self, form: dict[str, Any]) -> AsyncIterator[Any]:
        """Register or update from the form; keep the dialog open with the reason on failure."""
        self.saving = True
        self.form_error = ""
        yield
        client = api.client()
        try:
            if self.editing:
                form = {
                    **form,
                    "process_name": self.editing,
                    "is_active": "on" if self.draft_active else "",
                }
                await client.update_process(self.editing, update_request(form))
                message = "Process updated"
            else:
                await client.create_process(definition_request(form))
                message = "Process registered"
        except ValueError as exc:
            self.form_error = str(exc)
        except EventLogApiError as exc:
            self.form_error = _api_problem(exc)
        except Exception as exc:
            self.form_error = api.error_text(exc)
        else:
            self.dialog_open = False
            api.forget_definitions()
            await self._fetch(fresh=True)
            yield rx.toast.success(message, duration=2500)
        finally:
            self.saving = False


S = ProcessesState


def _field(label: str, name: str, placeholder: str = "", **props: Any) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            name=name,
            placeholder=placeholder,
            default_value=getattr(S, f"draft_{name}"),
            width="100%",
            **props,
        ),
        spacing="1",
        width="100%",
        align="stretch",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing != "", "Edit process", "Register a process")),
            rx.dialog.description(
                "A definition names a process for people and sets its SLA and expected steps.",
                size="2",
                margin_bottom="12px",
            ),
            rx.form(
                rx.vstack(
                    rx.cond(
                        S.editing != "",
                        rx.vstack(
                            rx.text("Process name", size="2", weight="medium"),
                            ui.mono(S.editing),
                            spacing="1",
                        ),
                        _field("Process name", "process_name", "order_fulfilment"),
                    ),
                    _field("Display name", "display_name", "Order fulfilment"),
                    rx.vstack(
                        rx.text("Description", size="2", weight="medium"),
                        rx.text_area(
                            name="description",
                            default_value=S.draft_description,
                            placeholder="What the process does",
                            width="100%",
                        ),
                        spacing="1",
                        width="100%",
                        align="stretch",
                    ),
                    _field("Owning team", "owning_team", "Fulfilment"),
                    rx.grid(
                        _field("Expected steps", "expected_steps", "e.g. 6", inputmode="numeric"),
                        _field("SLA (ms)", "sla_ms", "e.g. 30000", inputmode="numeric"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(
                        S.editing != "",
                        rx.hstack(
                            rx.switch(checked=S.draft_active, on_change=S.set_draft_active),
                            rx.text("Active", size="2"),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    rx.cond(
                        S.form_error != "",
                        rx.callout.root(
                            rx.callout.text(S.form_error),
                            color_scheme="red",
                            size="1",
                            width="100%",
                            class_name="form-error",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            rx.cond(S.editing != "", "Save", "Register"),
                            type="submit",
                            loading=S.saving,
                            id="process-save",
                        ),
                        justify="end",
                        width="100%",
                        spacing="2",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.editing + "-form",
            ),
            max_width="520px",
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def _row(row: ProcessRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row.display_name, weight="bold", size="2"),
                ui.mono(row.process_name, size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.text(row.description, size="2", color=rx.color("gray", 11)),
            display=ui.WIDE_ONLY,
            max_width="360px",
        ),
        rx.table.cell(row.owning_team, display=ui.WIDE_ONLY),
        rx.table.cell(row.expected_steps),
        rx.table.cell(row.sla),
        rx.table.cell(
            rx.cond(
                row.is_active,
                ui.status_badge("Active", "green"),
                ui.status_badge("Inactive", "gray"),
            )
        ),
        rx.table.cell(row.updated, display=ui.WIDE_ONLY, white_space="nowrap"),
        rx.table.cell(
            rx.button(
                rx.icon("pencil", size=14),
                "Edit",
                size="1",
                variant="soft",
                on_click=S.start_edit(row.process_name),  # type: ignore[operator]
                class_name="process-edit",
            ),
        ),
        class_name="process-row",
        custom_attrs={"data-process": row.process_name},
    )


def processes_page() -> rx.Component:
    """The process definitions page."""
    table = rx.box(
        rx.table.root(
            ui.table_header(
                "Process",
                ("Description", ui.WIDE_ONLY),
                ("Team", ui.WIDE_ONLY),
                "Steps",
                "SLA",
                "State",
                ("Updated", ui.WIDE_ONLY),
                "",
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            variant="ghost",
            width="100%",
            id="process-table",
        ),
        overflow_x="auto",
    )
    return ui.page(
        ui.page_header(
            "Processes",
            "Registered process definitions: display names, owners, expected steps and SLAs.",
            rx.button(
                rx.icon("plus", size=14),
                "Register process",
                on_click=S.start_register,
                id="process-new",
            ),
        ),
        _dialog(),
        ui.card(
            rx.cond(
                S.error != "",
                ui.error_block(S.error, S.reload),
                rx.cond(
                    S.loading & (S.rows.length() == 0),
                    ui.loading_block("Loading processes…"),
                    rx.cond(
                        S.rows.length() == 0,
                        ui.empty_block(
                            "No processes registered", "Register one to give it a name and an SLA."
                        ),
                        table,
                    ),
                ),
            ),
        ),
        custom_attrs={"data-loading": rx.cond(S.loading, "true", "false")},
        active="/processes",
    )
