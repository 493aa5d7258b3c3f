"""crmlib.plots: percent tick labels that match the ticks."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from crmlib.plots import TickPercentFormatter, axes, percent_axis


def labels(ax, which="y"):
    ax.figure.canvas.draw()
    axis = ax.yaxis if which == "y" else ax.xaxis
    low, high = sorted(axis.get_view_interval())
    return [
        t.get_text().replace("\N{MINUS SIGN}", "-")
        for t, loc in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
        if low - 1e-12 <= loc <= high + 1e-12
    ]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_half_steps_keep_their_decimal():
    ax = axes()
    ax.set_ylim(0, 0.2)
    ax.set_yticks([0.025, 0.075, 0.125, 0.175])  # a 0.05-step axis off the whole percents
    percent_axis(ax)
    assert labels(ax) == ["2.5%", "7.5%", "12.5%", "17.5%"]


@pytest.mark.parametrize("top", [0.18, 0.185, 0.19, 0.2, 0.035, 0.0042, 0.6, 1.0])
def test_default_ticks_read_as_their_values(top):
    # e.g. the Bank of America bars (17.2 % and 7.7 %), where the ticks may fall every 2.5
    # points: each label must be its tick's value, not a rounded one
    ax = axes()
    ax.bar([0, 1], [top * 0.95, top * 0.4])
    ax.set_ylim(0, top)
    percent_axis(ax)
    shown = labels(ax)
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low - 1e-12 <= t <= high + 1e-12]
    for tick, label in zip(ticks, shown, strict=True):
        assert float(label.rstrip("%")) == pytest.approx(tick * 100, abs=1e-9)
    assert len(set(shown)) == len(shown)


def test_two_and_a_half_point_steps():
    from matplotlib.ticker import MultipleLocator

    ax = axes()
    ax.set_ylim(0, 0.18)
    ax.yaxis.set_major_locator(MultipleLocator(0.025))
    percent_axis(ax)
    assert labels(ax) == ["0.0%", "2.5%", "5.0%", "7.5%", "10.0%", "12.5%", "15.0%", "17.5%"]


def test_whole_percents_stay_whole():
    ax = axes()
    ax.set_xlim(0, 1)
    percent_axis(ax, "x")
    shown = labels(ax, "x")
    assert shown == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_xmax_and_negative_ticks():
    ax = axes()
    ax.set_ylim(-5, 5)
    ax.set_yticks([-5, -2.5, 0, 2.5, 5])
    percent_axis(ax, xmax=100)
    assert labels(ax) == ["-5.0%", "-2.5%", "0.0%", "2.5%", "5.0%"]


def test_formatter_without_an_axis():
    formatter = TickPercentFormatter()
    assert formatter.format_ticks([0.1, 0.2, 0.3]) == ["10%", "20%", "30%"]
    assert formatter.format_ticks([0.001, 0.0015, 0.002]) == ["0.10%", "0.15%", "0.20%"]
