"""ScalingFields: off gives no plan; on, min, max, metric and target make one; bad input is one sentence, kept."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Checkbox, Input, Select

from ecstui.aws.service_scaling import ServiceScalingPlan, TargetTrackingPlan
from ecstui.ui.dialogs.base import Invalidity
from ecstui.ui.dialogs.scaling_fields import ScalingFields


class FieldsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ScalingFields(desired=2, id="scaling")


async def test_off_by_default_and_then_no_plan() -> None:
    app = FieldsApp()
    async with app.run_test():
        fields = app.query_one(ScalingFields)
        assert fields.read() is None
        settings = fields.query_one("#scaling-settings")
        assert not settings.display and fields.region.height == 3  # the checkbox alone


async def test_on_it_reads_min_max_and_a_cpu_target_from_the_desired_count() -> None:
    app = FieldsApp()
    async with app.run_test() as pilot:
        fields = app.query_one(ScalingFields)
        app.query_one("#scaling-enabled", Checkbox).value = True
        await pilot.pause()
        assert fields.has_class("on") and fields.query_one("#scaling-settings").display
        assert fields.query_one("#scaling-min").region.height == 3  # laid out, shown
        assert fields.read() == ServiceScalingPlan(2, 4, TargetTrackingPlan("cpu", 70.0))
        app.query_one("#scaling-max", Input).value = "10"
        app.query_one("#scaling-metric", Select).value = "memory"
        app.query_one("#scaling-target", Input).value = "55.5 %"
        assert fields.read() == ServiceScalingPlan(2, 10, TargetTrackingPlan("memory", 55.5))


async def test_requests_are_offered_only_behind_an_alb() -> None:
    app = FieldsApp()
    async with app.run_test() as pilot:
        fields = app.query_one(ScalingFields)
        app.query_one("#scaling-enabled", Checkbox).value = True
        select = app.query_one("#scaling-metric", Select)
        assert "requests" not in [value for _, value in select._options]
        fields.set_requests_available(True)
        await pilot.pause()
        select.value = "requests"
        await pilot.pause()
        # The default CPU target gave way to the default request count.
        assert app.query_one("#scaling-target", Input).value == "1000"
        plan = fields.read()
        assert plan is not None and plan.policy == TargetTrackingPlan("requests", 1000.0)
        fields.set_requests_available(False)
        await pilot.pause()
        assert select.value == "cpu"


BAD = {
    "min above max": ({"#scaling-min": "5", "#scaling-max": "3"}, "above the maximum"),
    "negative": ({"#scaling-min": "-1"}, "cannot be negative"),
    "max above the quota": ({"#scaling-max": "5001"}, "quota"),
    "cpu above 100": ({"#scaling-target": "101"}, "from 1 to 100"),
    "cpu 0": ({"#scaling-target": "0"}, "from 1 to 100"),
    "not a number": ({"#scaling-target": "lots"}, "is not a number"),
    "no minimum": ({"#scaling-min": ""}, "Enter a minimum task count"),
}


@pytest.mark.parametrize("case", sorted(BAD))
async def test_bad_input_is_one_sentence_and_what_was_typed_stays(case: str) -> None:
    typed, said = BAD[case]
    app = FieldsApp()
    async with app.run_test() as pilot:
        fields = app.query_one(ScalingFields)
        app.query_one("#scaling-enabled", Checkbox).value = True
        await pilot.pause()
        for selector, value in typed.items():
            app.query_one(selector, Input).value = value
        with pytest.raises(Invalidity) as caught:
            fields.read()
        assert said in str(caught.value) and str(caught.value).count(". ") == 0
        for selector, value in typed.items():
            assert app.query_one(selector, Input).value == value
