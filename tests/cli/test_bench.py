"""`acting-mirror bench`: it measures, compares and guards quality (figures are printed,
never asserted: speed is checked by running the command, not by tests)."""

import json


def test_bench_compares_ours_with_naive_and_reports_quality(cli, tmp_path):
    out = tmp_path / "bench.json"
    code, text, err = cli("bench", "--frames", "60", "--clip", "1face", "--detector", "haar", "--json", out)
    assert code == 0, err
    for stage in ("decode", "detect", "classify", "track", "annotate", "encode"):
        assert stage in text
    assert "ours/naive" in text and "faces found" in text
    [row] = json.loads(out.read_text())
    assert row["ours"]["frames"] == row["naive"]["frames"] == 60
    assert row["found_rate"] >= 0.9  # the portrait's face is there in (nearly) every frame
    assert row["agreement"] >= 0.8  # reads as full detection every frame does (bar the cut)


def test_bench_rejects_nonsense(cli):
    code, _, err = cli("bench", "--frames", "3")
    assert code == 2 and "at least 10" in err


def test_installed_bench_finds_its_portraits(run_installed, tmp_path):
    result = run_installed("bench", "--frames", "10", "--clip", "1face", "--detector", "haar",
                           "--no-naive", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ours" in result.stdout


def test_bench_refuses_options_of_the_other_mode(cli):
    code, _, err = cli("bench", "--seconds", "5")
    assert code == 2 and "--seconds applies only with --live" in err
    code, _, err = cli("bench", "--live", "--frames", "60")
    assert code == 2 and "--frames applies only without --live" in err
    code, _, err = cli("bench", "--live", "--seconds", "0")
    assert code == 2 and "--seconds must be positive" in err
