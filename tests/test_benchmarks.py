"""benchmarks/report.py: reading result files, medians, ratios, targets, the chart.

No timing here: these tests check the arithmetic and the checks the book's benchmark appendix
relies on, on small hand-made result files (and on the committed ones, which must stay
readable).
"""

import json
import math

import pytest

from _project import ROOT
from benchmarks import report


def entry(group="conv2d_forward", case="c", dtype="float64", a=(2.0, 2.0, 2.0), b=(1.0, 1.0, 1.0), **extra):
    return {"group": group, "case": case, "dtype": dtype, "subject": "companion.x", "baseline": "torch.x",
            "subject_seconds": list(a), "baseline_seconds": list(b), "calls_per_sample": 1, **extra}


def result(*entries):
    return {"schema": 1, "created": "2026-11-22T00:00:00+00:00",
            "machine": {"cpu_model": "Test CPU", "threads": 1, "load_average_start": [1.0, 2.0, 3.0]},
            "settings": {"repeats": 3}, "results": list(entries) or [entry()]}


def test_ratio_is_the_ratio_of_the_medians():
    s = report.summarize(result(entry(a=[3.0, 1.0, 2.0, 100.0, 2.5], b=[1.0, 1.0, 1.0, 1.0, 50.0])))
    (row,) = s.rows
    assert row.subject_median == 2.5 and row.baseline_median == 1.0
    assert row.ratio == 2.5
    assert row.repeats == 5


def test_spread_measures_the_per_repetition_ratios():
    (row,) = report.summarize(result(entry(a=[1.0, 2.0, 4.0], b=[1.0, 1.0, 1.0]))).rows
    assert (row.ratio_low, row.ratio_high) == (1.0, 4.0)
    assert row.spread == pytest.approx((4.0 - 1.0) / 2.0)


def test_geometric_mean():
    assert report.geometric_mean([1.0, 4.0]) == pytest.approx(2.0)
    assert report.geometric_mean([0.5, 2.0, 8.0]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="no values"):
        report.geometric_mean([])


def test_targets_use_the_geometric_mean_of_their_group():
    data = result(
        entry("conv2d_forward", "a", a=[1.0], b=[1.0]),
        entry("conv2d_forward", "b", a=[4.0], b=[1.0]),  # geometric mean 2 > 1.5: missed by a third
        entry("conv2d_backward", "a", a=[1.0], b=[1.0]),
        entry("epoch", "e", "float64", a=[2.0], b=[1.0]),
        entry("epoch", "e", "float32", a=[100.0], b=[1.0]),  # not part of the epoch target
    )
    verdicts = {v.target.group: v for v in report.summarize(data).verdicts}
    forward = verdicts["conv2d_forward"]
    assert forward.value == pytest.approx(2.0) and forward.n_cases == 2
    assert not forward.met
    assert forward.excess == pytest.approx(2.0 / 1.5 - 1)
    assert forward.describe() == "missed by 33%: 2.00x > 1.5x"
    assert verdicts["conv2d_backward"].met and verdicts["conv2d_backward"].excess == 0
    assert verdicts["conv2d_backward"].describe() == "met: 1.00x <= 2x"
    epoch = verdicts["epoch"]
    assert epoch.value == pytest.approx(2.0) and epoch.n_cases == 1 and epoch.met  # the limit is 2


def test_held_out_shapes_have_verdicts_of_their_own():
    data = result(
        entry("conv2d_forward", "a", a=[1.0], b=[1.0]),
        entry("conv2d_forward", "h1", a=[2.0], b=[1.0], shapes="held-out"),
        entry("conv2d_forward", "h2", a=[8.0], b=[1.0], shapes="held-out"),
        entry("max_pool2d_backward", "p", a=[2.0], b=[1.0]),
        entry("avg_pool2d_backward", "q", a=[4.0], b=[1.0], shapes="held-out"),
    )
    s = report.summarize(data)
    assert {v.target.group: (v.value, v.n_cases) for v in s.verdicts} == {
        "conv2d_forward": (1.0, 1), "max_pool2d_backward": (2.0, 1)}
    held = {v.target.group: v for v in s.held_out}
    assert held["conv2d_forward"].value == pytest.approx(4.0) and held["conv2d_forward"].n_cases == 2
    assert held["conv2d_forward"].shapes == "held-out" and not held["conv2d_forward"].met
    assert not held["avg_pool2d_backward"].met  # 4 > 3
    text = report.text_report(s)
    assert "held-out shapes, conv2d forward, geometric mean over shapes, strides and dtypes: missed" in text
    assert "(held-out)" in text


def test_memory_entries_are_checked_and_reported():
    mem = {"group": "conv2d_forward", "case": "c", "dtype": "float32", "input_bytes": 10,
           "companion_peak_bytes": 30_000_000, "torch_peak_bytes": 12_000_000}
    data = dict(result(), memory=[mem])
    s = report.summarize(data)
    assert s.memory == [mem]
    assert ("peak memory, conv2d_forward c float32: companion 30.0 MB, PyTorch 12.0 MB (2.50x PyTorch's; "
            "target <= 3x met)") in report.text_report(s)
    assert report.memory_met(mem) and not report.memory_met(dict(mem, torch_peak_bytes=9_000_000))
    assert report.memory_ratio(dict(mem, torch_peak_bytes=0)) == "PyTorch allocated nothing"
    for bad in ([{"group": "g"}], [dict(mem, torch_peak_bytes=-1)], [dict(mem, companion_peak_bytes=1.5)], "x"):
        with pytest.raises(ValueError, match="memory"):
            report.validate(dict(result(), memory=bad), "r.json")


def test_the_split_of_conv2d_is_reported_with_the_copy_rate():
    split = {"case": "c", "dtype": "float32", "column_bytes": 100_000_000,
             "seconds": {"conv2d": 0.05, "copies": 0.02, "products": 0.03, "torch": 0.025}}
    s = report.summarize(dict(result(), split=[split]))
    assert s.split == [split]
    assert report.split_text(split) == ("conv2d c float32: im2col copies 20 ms (100 MB of columns, 5.0 GB/s), "
                                        "matrix products 30 ms, whole call 50 ms, PyTorch 25 ms")


def test_an_unknown_shape_set_is_rejected():
    with pytest.raises(ValueError, match=r"results\[0\].shapes must be one of"):
        report.validate(result(entry(shapes="tuned")), "r.json")


def test_latest_per_threads_keeps_the_newest_file_of_each_thread_count(tmp_path):
    def write(name, threads, ratio):
        data = result(entry(a=[ratio], b=[1.0]))
        data["machine"]["threads"] = threads
        (tmp_path / name).write_text(json.dumps(data))

    write("2026-11-22T0010-vm.json", 1, 1.0)
    write("2026-12-01T1900-vm-2t.json", 2, 2.0)
    write("2026-12-01T1910-vm-1t.json", 1, 3.0)
    write("2026-12-01T1920-vm-2t.json", 2, 4.0)
    newest = report.latest_per_threads(tmp_path)
    assert list(newest) == [2, 1]  # most threads first
    assert newest[2].name == "2026-12-01T1920-vm-2t.json" and newest[1].name == "2026-12-01T1910-vm-1t.json"
    with pytest.raises(FileNotFoundError, match="make bench"):
        report.latest_per_threads(tmp_path / "empty")


def test_a_group_without_cases_has_no_verdict():
    s = report.summarize(result(entry("max_pool2d_forward")))
    assert s.verdicts == []


def test_rows_follow_the_order_of_the_groups_and_keep_the_run_order_within_one():
    data = result(entry("naive", "n"), entry("conv2d_backward", "b1"), entry("conv2d_forward", "f1"),
                  entry("conv2d_backward", "b2"), entry("conv2d_forward", "f2"))
    assert [r.case for r in report.summarize(data).rows] == ["f1", "f2", "b1", "b2", "n"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(schema=2), "schema must be 1"),
        (lambda d: d.pop("machine"), "'machine' must be a dict"),
        (lambda d: d.update(results=[]), "'results' is empty"),
        (lambda d: d["results"][0].update(group="conv3d"), r"results\[0\].group must be one of"),
        (lambda d: d["results"][0].update(case=""), r"results\[0\].case must be a non-empty string"),
        (lambda d: d["results"][0].update(subject_seconds=[]), "subject_seconds must be a non-empty list"),
        (lambda d: d["results"][0].update(baseline_seconds=[1.0, -1.0, 1.0]), "positive finite numbers"),
        (lambda d: d["results"][0].update(baseline_seconds=[1.0, float("nan"), 1.0]), "positive finite"),
        (lambda d: d["results"][0].update(subject_seconds=[1.0, True, 1.0]), "positive finite"),
        (lambda d: d["results"][0].update(baseline_seconds=[1.0]), "3 repetitions, baseline_seconds 1"),
    ],
)
def test_malformed_results_are_rejected_with_a_clear_message(change, message):
    data = result()
    change(data)
    with pytest.raises(ValueError, match=message):
        report.validate(data, "r.json")


def test_validate_rejects_a_non_object():
    with pytest.raises(ValueError, match="a JSON object, got list"):
        report.validate([], "r.json")


def test_load_and_latest(tmp_path):
    (tmp_path / "2026-11-21T2300-a.json").write_text(json.dumps(result()))
    (tmp_path / "2026-11-22T0010-b.json").write_text(json.dumps(result(entry(a=[3.0, 3.0, 3.0]))))
    (tmp_path / "notes.txt").write_text("not a result")
    newest = report.latest(tmp_path)
    assert newest.name == "2026-11-22T0010-b.json"
    assert report.summarize(report.load(newest)).rows[0].ratio == 3.0
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ValueError, match="broken.json: not valid JSON"):
        report.load(tmp_path / "broken.json")


def test_latest_of_an_empty_directory_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="make bench"):
        report.latest(tmp_path)


@pytest.mark.parametrize("seconds, text", [(2.4, "2.40 s"), (0.0031, "3.1 ms"), (0.000412, "412 µs")])
def test_format_seconds(seconds, text):
    assert report.format_seconds(seconds) == text


def test_text_report_lists_every_case_and_every_verdict():
    data = result(entry("conv2d_forward", "small", a=[1.0], b=[2.0]), entry("epoch", "e", a=[4.0], b=[1.0]))
    text = report.text_report(report.summarize(data))
    assert "Test CPU, 1 thread(s) each side, load average at start 1.00 2.00 3.00" in text
    assert "small" in text and "0.50x" in text
    assert "target one NumPy training epoch (float64): missed by 100%: 4.00x > 2x" in text


def test_plot_is_an_svg_with_one_bar_per_case_and_alt_text_that_names_the_verdicts():
    data = result(entry("conv2d_forward", "f", a=[1.0], b=[2.0]), entry("conv2d_backward", "b", a=[3.0], b=[1.0]),
                  entry("naive", "n", a=[500.0], b=[1.0]))
    s = report.summarize(data)
    svg = report.ratio_plot_svg(s)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "href=\"http" not in svg and "<image" not in svg  # nothing to fetch: the build is offline
    assert report.ratio_plot_svg(s) == svg  # deterministic: the same page from the same file
    alt = report.plot_alt_text(s)
    assert "2 ratios" in alt  # the naive pair is not drawn
    assert "conv2d forward 0.50 times PyTorch's time (target 1.5, met)" in alt
    assert "conv2d backward 3.00 times PyTorch's time (target 2, missed)" in alt


def test_committed_results_are_readable_and_complete():
    files = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    assert files, "commit at least one `make bench` result under benchmarks/results/"
    for path in files:
        s = report.summarize(report.load(path), path.name)
        groups = {r.group for r in s.rows}
        assert {"conv2d_forward", "conv2d_backward", "max_pool2d_forward", "max_pool2d_backward",
                "naive"} <= groups, path.name
        assert all(math.isfinite(r.ratio) for r in s.rows)
        for key in ("cpu_model", "threads", "load_average_start", "numpy", "torch", "python"):
            assert key in s.machine, f"{path.name}: the machine's {key} is missing"


def test_the_book_shows_a_one_thread_and_a_two_thread_run():
    newest = report.latest_per_threads()
    assert {1, report.TARGET_THREADS} <= set(newest), "commit `make bench` results at 1 and 2 threads"
    for threads, path in newest.items():
        s = report.summarize(report.load(path), path.name)
        groups = {r.group for r in s.rows}
        assert {"avg_pool2d_forward", "avg_pool2d_backward", "epoch"} <= groups, path.name
        assert {r.shapes for r in s.rows} == {"benchmark", "held-out"}, path.name
        assert len(s.memory) == 4, path.name  # conv2d forward and backward, float32 and float64
