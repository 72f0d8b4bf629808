"""The status bar's figures: a new source starts a new count."""

from acting_mirror.core.rates import DisplayStats


def test_the_first_report_after_a_source_switch_covers_only_the_new_source():
    stats = DisplayStats()
    stats.on_frame(30.0, 30.0, 1, {"detect": 50.0})
    stats.on_painted(0.200)
    stats.clear()  # another source
    stats.on_frame(25.0, 25.0, 2, {"detect": 4.0})
    stats.on_painted(0.010)
    line = stats.report()
    assert "detect 4.0 ms" in line and "50.0" not in line
    assert "latency p50 10 ms" in line and "faces 2" in line
