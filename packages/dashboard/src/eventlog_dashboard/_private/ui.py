# mypy: disable-error-code="no-any-return"
# (Reflex's component constructors are typed as returning Any; every page function returns one.)
"""Building blocks shared by the pages: the shell, cards, badges, states of a data view."""

from __future__ import annotations

from typing import Any

import reflex as rx

NAV_LINKS = (
    ("Traces", "/", "list"),
    ("Statistics", "/stats", "chart-line"),
    ("Processes", "/processes", "workflow"),
    ("Accounts", "/accounts", "user"),
    ("Batches", "/batches", "layers"),
)

FAVICON = (
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
    "<rect width='32' height='32' rx='8' fill='%230d74ce'/><path d='M5 17h5l3-8 5 15 3-7h6' "
    "stroke='white' stroke-width='2.6' fill='none' stroke-linecap='round' "
    "stroke-linejoin='round'/></svg>"
)
"""The tab icon (inline, so there is no file to serve)."""

MONO = "var(--code-font-family, ui-monospace, SFMono-Regular, Menlo, monospace)"


def _nav_link(label: str, href: str, icon: str, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"), spacing="2"),
        href=href,
        color=rx.color("accent", 11) if active else rx.color("gray", 12),
        background=rx.color("accent", 3) if active else "transparent",
        underline="none",
        custom_attrs={"aria-current": "page"} if active else {},
        padding_x="10px",
        padding_y="6px",
        border_radius="6px",
        _hover={"background": rx.color("accent", 3), "color": rx.color("accent", 11)},
    )


def navbar(active: str = "") -> rx.Component:
    """The top bar: brand, page links (``active`` marked) and the light/dark switch."""
    return rx.box(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.center(
                        rx.icon("activity", size=18, color="white"),
                        width="30px",
                        height="30px",
                        border_radius="8px",
                        background=rx.color("accent", 9),
                    ),
                    rx.heading("Event Log", size="4", weight="bold"),
                    spacing="2",
                    align="center",
                ),
                href="/",
                underline="none",
                color=rx.color("gray", 12),
            ),
            rx.spacer(display=["block", "block", "none"]),
            rx.color_mode.button(
                size="2", variant="soft", id="theme-toggle", order=["2", "2", "3"]
            ),
            # On a narrow window the links go below the brand, in one row that scrolls.
            rx.hstack(
                *(_nav_link(*link, active=link[1] == active) for link in NAV_LINKS),
                spacing="1",
                wrap="nowrap",
                flex=["0 0 100%", "0 0 100%", "1"],
                overflow_x="auto",
                white_space="nowrap",
                order=["3", "3", "2"],
            ),
            align="center",
            spacing="4",
            row_gap="6px",
            wrap="wrap",
            max_width="1400px",
            margin_x="auto",
            padding_x=["12px", "16px", "24px"],
            padding_y="10px",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def page(*children: rx.Component, active: str = "", **props: Any) -> rx.Component:
    """The page shell: the navbar (``active``: the current section's link) and the content."""
    return rx.box(
        navbar(active),
        rx.box(
            rx.vstack(*children, spacing="5", width="100%", align="stretch"),
            max_width="1400px",
            margin_x="auto",
            padding_x=["12px", "16px", "24px"],
            padding_y=["16px", "20px", "24px"],
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
        **props,
    )


def page_header(title: Any, subtitle: Any = None, *actions: rx.Component) -> rx.Component:
    """A page title with an optional line below and actions on the right."""
    return rx.flex(
        rx.vstack(
            rx.heading(title, size="6", weight="bold"),
            rx.text(subtitle, size="2", color=rx.color("gray", 11))
            if subtitle is not None
            else rx.fragment(),
            spacing="1",
            align="start",
        ),
        rx.hstack(*actions, spacing="2", wrap="wrap"),
        justify="between",
        align="end",
        wrap="wrap",
        gap="12px",
        width="100%",
    )


def card(*children: rx.Component, **props: Any) -> rx.Component:
    """A bordered panel."""
    props.setdefault("padding", "16px")
    return rx.box(
        *children,
        background=rx.color("gray", 1),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        box_shadow="0 1px 2px rgba(0,0,0,0.04)",
        width="100%",
        **props,
    )


def section_title(text: str, *extra: rx.Component) -> rx.Component:
    """The title line of a card."""
    return rx.hstack(
        rx.heading(text, size="3", weight="bold"),
        rx.spacer(),
        *extra,
        align="center",
        width="100%",
        margin_bottom="12px",
    )


def stat_card(
    label: str, value: Any, hint: Any = None, color: Any = None, test_id: str = ""
) -> rx.Component:
    """A labelled big figure (traces, accounts, success rate...)."""
    return card(
        rx.vstack(
            rx.text(
                label,
                size="1",
                weight="medium",
                color=rx.color("gray", 11),
                text_transform="uppercase",
                letter_spacing="0.04em",
            ),
            rx.text(
                value,
                size="7",
                weight="bold",
                color=rx.color("gray", 12) if color is None else f"var(--{color}-11)",
                class_name="stat-value",
            ),
            _hint(hint),
            spacing="1",
            align="start",
        ),
        custom_attrs={"data-testid": test_id} if test_id else {},
        border_top=f"3px solid var(--{color}-9)" if color is not None else None,
    )


def _hint(hint: Any) -> rx.Component:
    if hint is None:
        return rx.fragment()
    if isinstance(hint, rx.Component):  # already text: a <p> inside a <p> breaks hydration
        return hint
    return rx.text(hint, size="1", color=rx.color("gray", 11), trim="both")


def status_dot(color: Any) -> rx.Component:
    """A small round marker in a status colour."""
    return rx.box(
        width="10px",
        height="10px",
        min_width="10px",
        border_radius="50%",
        background=f"var(--{color}-9)",
        box_shadow=f"0 0 0 3px var(--{color}-4)",
    )


def status_badge(label: Any, color: Any, **props: Any) -> rx.Component:
    """A status as a soft, coloured badge."""
    props.setdefault("variant", "soft")
    props.setdefault("radius", "full")
    return rx.badge(label, color_scheme=color, **props)


def copy_button(value: Any, label: str = "Copy") -> rx.Component:
    """A small button that copies ``value`` to the clipboard."""
    return rx.tooltip(
        rx.icon_button(
            rx.icon("copy", size=14),
            on_click=[rx.set_clipboard(value), rx.toast.success("Copied", duration=1500)],
            size="1",
            variant="ghost",
            aria_label=label,
        ),
        content=label,
    )


def loading_block(text: str = "Loading…") -> rx.Component:
    """What a view shows while its data is on the way."""
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(text, color=rx.color("gray", 11)), spacing="3"),
        padding="48px",
        width="100%",
        class_name="loading-state",
    )


def error_block(message: Any, retry: Any = None) -> rx.Component:
    """What a view shows when the API failed: the reason and a way to try again."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.flex(
            rx.callout.text(message),
            rx.button("Try again", on_click=retry, size="1", variant="soft", color_scheme="red")
            if retry is not None
            else rx.fragment(),
            justify="between",
            align="center",
            wrap="wrap",
            gap="8px 16px",
            width="100%",
        ),
        color_scheme="red",
        role="alert",
        class_name="error-state",
        width="100%",
    )


def empty_block(title: str, hint: Any = "", action: rx.Component | None = None) -> rx.Component:
    """What a view shows when there is nothing to list."""
    return rx.center(
        rx.vstack(
            rx.icon("inbox", size=32, color=rx.color("gray", 9)),
            rx.text(title, weight="bold", size="3"),
            rx.text(hint, size="2", color=rx.color("gray", 11), text_align="center"),
            action if action is not None else rx.fragment(),
            align="center",
            spacing="2",
        ),
        padding="48px",
        width="100%",
        class_name="empty-state",
    )


def mono(text: Any, **props: Any) -> rx.Component:
    """Text in the monospace font (ids, codes)."""
    props.setdefault("size", "2")
    return rx.text(text, font_family=MONO, **props)


def label_value(label: str, value: rx.Component | Any) -> rx.Component:
    """A small label above a value."""
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11), weight="medium"),
        value if isinstance(value, rx.Component) else rx.text(value, size="2"),
        spacing="1",
        align="start",
        min_width="0",
    )


def pager(label: Any, has_prev: Any, has_next: Any, on_prev: Any, on_next: Any) -> rx.Component:
    """``Page X of Y (N items)`` with previous/next buttons."""
    return rx.flex(
        rx.text(label, size="2", color=rx.color("gray", 11), class_name="page-label"),
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                "Previous",
                on_click=on_prev,
                disabled=~has_prev,
                variant="soft",
                size="2",
                class_name="page-prev",
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=16),
                on_click=on_next,
                disabled=~has_next,
                variant="soft",
                size="2",
                class_name="page-next",
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        gap="8px",
        width="100%",
        padding_top="12px",
    )


def table_header(*names: str | tuple[str, Any]) -> rx.Component:
    """A table header row; a name may come with a ``display`` to hide it on narrow screens."""
    cells = []
    for name in names:
        if isinstance(name, tuple):
            cells.append(
                rx.table.column_header_cell(name[0], display=name[1], white_space="nowrap")
            )
        else:
            cells.append(rx.table.column_header_cell(name, white_space="nowrap"))
    return rx.table.header(rx.table.row(*cells))


WIDE_ONLY = ["none", "none", "table-cell"]
"""``display`` of a table column shown from the medium breakpoint (768 px) up."""
