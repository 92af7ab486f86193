"""The log view on its own (no AWS): a ring of the last N lines, following and pausing, search, wrap, timestamps,
JSON, and hostile lines drawn as text. The pane's tests (test_logs_pane) drive it against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual import events
from textual.app import App, ComposeResult

from ecstui.aws.logs import LogLine
from ecstui.ui.widgets.log_view import LogView, fold_offsets, pretty_json

T0 = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def line(n: int, message: str | None = None, task: str = "0123456789abcdef0123456789abcdef") -> LogLine:
    return LogLine(
        timestamp=T0 + timedelta(seconds=n),
        message=message if message is not None else f"line {n}",
        stream=f"ecs/app/{task}",
        event_id=f"e{n}",
        task_id=task,
        container="app",
    )


class ViewApp(App[None]):
    def __init__(self, view: LogView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view

    def on_mount(self) -> None:
        self.view.focus()


def rows(view: LogView) -> list[str]:
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


async def test_it_holds_the_last_n_lines_and_skips_lines_it_already_holds() -> None:
    view = LogView(max_lines=100)
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append(line(n) for n in range(250))
        assert view.line_count == 100
        assert view.lines[0].message == "line 150" and view.lines[-1].message == "line 249"
        assert view.append([line(249), line(248)]) == 0  # delivered again: drawn once
        await pilot.pause()
        assert rows(view)[-1].endswith("line 249")


async def test_following_keeps_the_newest_line_in_view_and_scrolling_up_pauses_until_end() -> None:
    view = LogView()
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append(line(n) for n in range(100))
        await pilot.pause()
        assert view.following and rows(view)[-1].endswith("line 99")
        await pilot.press("pageup")
        assert not view.following
        shown = rows(view)
        view.append(line(n) for n in range(100, 142))
        await pilot.pause()
        assert rows(view) == shown  # paused: the lines on screen stay
        assert view.new_while_paused == 42
        await pilot.press("end")
        await pilot.pause()
        assert view.following and view.new_while_paused == 0
        assert rows(view)[-1].endswith("line 141")
        assert view.cursor_line is not None and view.cursor_line.message == "line 141"


async def test_the_mouse_wheel_up_pauses_and_f_resumes() -> None:
    view = LogView()
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append(line(n) for n in range(100))
        await pilot.pause()
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert not view.following
        await pilot.press("f")
        assert view.following


async def test_search_highlights_matches_and_n_and_capital_n_move_between_them() -> None:
    view = LogView()
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append(line(n, f"request {n} {'ERROR timeout' if n % 10 == 3 else 'ok'}") for n in range(100))
        view.search("error")  # no capitals: any case
        await pilot.pause()
        assert view.match_position == (10, 10)  # the nearest above the cursor, which follows the newest line
        assert view.cursor_line is not None and view.cursor_line.message.startswith("request 93 ")
        assert not view.following
        await pilot.press("N")
        assert view.match_position == (9, 10) and view.cursor_line.message.startswith("request 83 ")
        await pilot.press("n", "n")
        assert view.match_position == (1, 10)  # wrapped to the oldest
        await pilot.pause()
        strip = next(s for s in (view.render_line(y) for y in range(24)) if "request 3 " in s.text)
        highlighted = [segment.text for segment in strip if segment.style and segment.style.bgcolor]
        assert "ERROR" in highlighted
        view.search("Error")  # a capital: exact case
        assert view.match_position == (0, 0)


async def test_wrap_and_timestamps_toggle() -> None:
    view = LogView()
    long = "x" * 150
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append([line(0, long), line(1, "short")])
        await pilot.pause()
        assert rows(view)[0].startswith("12-02 04:00:00.000 xxx")
        assert view.total_rows == 2
        await pilot.press("w")
        await pilot.pause()
        width = view.size.width - len("12-02 04:00:00.000 ")
        assert view.total_rows == 1 + -(-150 // width) and rows(view)[1].startswith(" " * 19 + "x")
        await pilot.press("t")
        await pilot.pause()
        assert rows(view)[0].startswith("xxx") and view.total_rows == 1 + -(-150 // view.size.width)


async def test_json_is_pretty_printed_on_demand() -> None:
    view = LogView()
    async with ViewApp(view).run_test(size=(80, 24)) as pilot:
        view.append([line(0, 'level=info {"user": 42, "path": "/api"}'), line(1, "plain")])
        await pilot.pause()
        view.search("")
        await pilot.press("up", "J")
        await pilot.pause()
        assert view.total_rows == 1 + 5  # the prefix, {, two members, }; then "plain"
        assert [row.strip() for row in rows(view)[:5]][1:] == ["{", '"user": 42,', '"path": "/api"', "}"]
        await pilot.press("J")
        assert view.total_rows == 2


async def test_hostile_lines_are_drawn_as_their_characters() -> None:
    view = LogView()
    hostile = "\x1b]52;c;SE9TVElMRQ==\x07 \x1b[2J [link=https://evil.example]LINK[/link] [bold]B[/] \u202eexe"
    async with ViewApp(view).run_test(size=(160, 10)) as pilot:
        view.append([line(0, hostile)])
        await pilot.pause()
        strip = view.render_line(0)
        drawn = strip.text
        assert "\x1b" not in drawn and "\x07" not in drawn and "\u202e" not in drawn
        assert "␛]52;c;SE9TVElMRQ==␇ ␛[2J [link=https://evil.example]LINK[/link] [bold]B[/] ⟨U+202E⟩exe" in drawn
        assert not any(segment.style and segment.style.link for segment in strip)


def test_folding_counts_cells_not_characters() -> None:
    assert fold_offsets("abcdef", 4) == [0, 4]
    assert fold_offsets("日本語です", 4) == [0, 2, 4]  # two cells each
    assert fold_offsets("", 4) == [0]
    assert pretty_json("not json") is None
    assert pretty_json("[1, 2]") == ("[", "  1,", "  2", "]")
