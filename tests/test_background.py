"""Work done in a forked process (reading returns, metrics, the pages while mkdocs runs): the same result as in
one process, and its errors still reach the user."""
from __future__ import annotations

import os
import time

import pytest

from ladobench import downloads
from ladobench.background import Background, Stream
from ladobench.published import publish
from ladobench.validate import validate

needs_fork = pytest.mark.usefixtures("forking")  # (conftest.py)


def _record_forks(monkeypatch, module) -> list[bool]:
    """Spy on module.Background: the list it returns says, for each one started, whether it forked."""
    forked, real_background = [], module.Background

    def spy(*args):
        pending = real_background(*args)
        forked.append(pending.forked)
        return pending

    monkeypatch.setattr(module, "Background", spy)
    return forked


def _pid_and(value):
    return os.getpid(), value * 2


def _fails():
    raise ValueError("Kent's referrals cannot be negative")


def _dies():
    os._exit(3)


def _sleeps():
    time.sleep(60)


@needs_fork
def test_the_work_runs_in_another_process_and_its_result_comes_back():
    with Background(_pid_and, 21) as pending:
        assert pending.forked
        pid, value = pending.result()
    assert pid != os.getpid() and value == 42


@needs_fork
def test_an_error_in_the_background_is_raised_in_the_build():
    with Background(_fails) as pending, pytest.raises(ValueError, match="cannot be negative"):
        pending.result()


@needs_fork
def test_a_background_process_that_dies_is_an_error_not_a_hang():
    with Background(_dies) as pending, pytest.raises(RuntimeError, match="exit code 3"):
        pending.result()


@needs_fork
def test_a_failing_build_stops_its_background_process():
    with pytest.raises(KeyError):
        with Background(_sleeps) as pending:
            raise KeyError("the pages failed")
    assert not pending._proc.is_alive()


def test_a_process_running_threads_is_never_forked():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Background(_pid_and, 1) as pending:
            assert not pending.forked and pending.result() == (os.getpid(), 2)
    finally:
        stop.set()
        thread.join()


def test_without_fork_the_work_is_done_in_this_process(monkeypatch):
    monkeypatch.setenv("LADOBENCH_NO_FORK", "1")
    with Background(_pid_and, 1) as pending:
        assert not pending.forked
        assert pending.result() == (os.getpid(), 2)


@needs_fork
def test_validation_reads_files_in_two_processes_with_the_same_result(tmp_path, monkeypatch):
    import shutil

    from ladobench import paths, reading
    from ladobench import validate as validation

    root = tmp_path / "authorities"
    shutil.copytree(paths.AUTHORITIES_DIR, root)
    kent = root / "kent" / "2023-24.yaml"
    kent.write_text(kent.read_text(encoding="utf-8").replace("  referrals: 1458\n", "  referrals: -1458\n"), encoding="utf-8")
    (root / "gloucestershire" / "2023-24.yaml").write_text("funnel: [unclosed\n", encoding="utf-8")
    (root / "kent" / "2021-22.yaml").write_text("source:\n  title: Kent\n  title: again\n", encoding="utf-8")

    def outcome(**started):
        ds = validation.validate(root, **started)
        return ([p.format() for p in ds.problems],
                [(r.slug, r.period, r.file, r.data, r.lines, r.invalid) for r in ds.returns], sorted(ds.authorities))

    monkeypatch.setenv("LADOBENCH_NO_FORK", "1")
    alone = outcome()
    monkeypatch.delenv("LADOBENCH_NO_FORK")
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 0)
    forked = _record_forks(monkeypatch, reading)
    assert outcome() == alone
    assert forked == [True], "the files were not shared with a second process"
    # As the build does it: started before the imports, finished by validate.
    started = reading.start(root)
    time.sleep(0.2)  # the other process has a head start
    assert outcome(started=started) == alone
    assert forked == [True, True]
    with pytest.raises(ValueError):
        validation.validate(root, [root / "kent"], started=reading.start(root))
    problems = "\n".join(alone[0])
    assert "authorities/kent/2023-24.yaml:14 funnel.referrals: found -1,458" in problems  # located, after the trip
    assert "gloucestershire/2023-24.yaml" in problems and "'title' a second time" in problems


@needs_fork
def test_metrics_published_with_two_processes_are_the_same(monkeypatch):
    import pandas as pd

    from ladobench import published as publishing

    forked = _record_forks(monkeypatch, publishing)
    dataset = validate()
    # The returns' metrics are shared out: this process is made slow, so the other takes some of them.
    here, real_rows, real_return_rows = os.getpid(), publishing._rows, publishing.return_rows
    taken_here = []

    def slow_here(*args):
        if os.getpid() == here:
            time.sleep(0.3)
        return real_return_rows(*args)

    def rows(dataset, ends, front):
        out = real_rows(dataset, ends, front)
        if os.getpid() == here:
            taken_here.append(len(out))
        return out

    monkeypatch.setattr(publishing, "return_rows", slow_here)
    monkeypatch.setattr(publishing, "_rows", rows)
    both = publish(dataset, None)
    assert forked == [True, True]
    assert 0 < taken_here[0] < len(dataset.returns)
    monkeypatch.setenv("LADOBENCH_NO_FORK", "1")
    alone = publish(dataset, None)
    for name in ("metrics", "comparisons", "changes"):
        pd.testing.assert_frame_equal(getattr(both, name), getattr(alone, name))
    assert both.plans.keys() == alone.plans.keys()
    for key in alone.plans:
        assert vars(both.plans[key]) == vars(alone.plans[key]), key
    kent = both.metrics.set_index(["authority", "period", "metric"]).loc[("kent", "2023-24", "threshold_conversion")]
    assert (kent["numerator"], kent["denominator"]) == (782, 1458)


@needs_fork
def test_the_handle_does_not_keep_the_builds_data_alive():
    import gc
    import weakref

    class Data:
        pass

    data = Data()
    alive = weakref.ref(data)
    with Background(id, data) as pending:
        pending.result()
    del data
    gc.collect()
    assert alive() is None  # mkdocs runs next, with all of the build's memory given back


def _counts(upto, seen):
    for i in range(upto):
        seen.append(i)
        yield i
    return f"counted to {upto}"


def _counts_then_fails():
    yield 1
    raise ValueError("Gloucestershire's substantiated count is not a number")


def _counts_then_dies():
    yield 1
    os._exit(3)


@needs_fork
def test_a_stream_gives_its_items_as_they_come_then_its_value():
    seen = []
    with Stream(_counts, 3, seen) as stream:
        assert stream.forked
        assert list(stream) == [0, 1, 2] and stream.value == "counted to 3"
    assert seen == []  # it ran in the other process
    with Stream(_counts_then_fails) as stream:
        assert next(stream) == 1
        with pytest.raises(ValueError, match="substantiated"):
            next(stream)
    with Stream(_counts_then_dies) as stream:
        assert next(stream) == 1
        with pytest.raises(RuntimeError, match="exit code 3"):
            stream.result()


def test_without_fork_a_stream_runs_here_one_item_at_a_time(monkeypatch):
    monkeypatch.setenv("LADOBENCH_NO_FORK", "1")
    seen = []
    with Stream(_counts, 3, seen) as stream:
        assert not stream.forked and seen == []
        assert next(stream) == 0 and seen == [0]  # no further than asked
        assert stream.result() == "counted to 3" and seen == [0, 1, 2]


@needs_fork
def test_pages_made_in_another_process_are_what_one_process_makes(tmp_path, monkeypatch):
    from ladobench import pages as site_pages
    from ladobench import production

    published = publish(validate(), None)
    jobs = production.plan(published)
    with Stream(production.produce, published, tmp_path / "made", jobs) as stream:
        assert stream.forked
        items = list(stream)
        timings = stream.value
    assert [i for i, _, _ in items] == list(range(len(jobs)))  # every job once, in order
    names = [name for _, made, _ in items for name in made]
    assert len(names) == len(set(names))
    monkeypatch.setenv("LADOBENCH_NO_FORK", "1")
    alone = site_pages.generate(published)
    assert set(names) == set(alone)
    # mkdocs is told of every page before it is made: the plan names them all
    assert production.pages(jobs) == {name for name in alone if name.endswith(".md")}
    for name in names:
        made = alone[name].encode("utf-8") if isinstance(alone[name], str) else alone[name]
        assert (tmp_path / "made" / name).read_bytes() == made, name
    assert "from 1,458 (Referrals)" in (tmp_path / "made" / "authorities" / "kent.md").read_text(encoding="utf-8")
    csv = (tmp_path / "made" / "downloads" / "returns.csv").read_text(encoding="utf-8")
    assert "kent,2023-24,funnel.referrals,,,1458," in csv
    assert set(downloads.names()) <= set(names) and "downloads/lado-benchmarks.xlsx" in names
    assert timings["downloads"] > 0 and timings["authority_pages"] > 0 and timings["peak_rss_mb"] > 0


def test_two_ends_hand_out_every_job_once():
    from ladobench.background import TwoEnds

    ends = TwoEnds(5)
    taken = [ends.take(True), ends.take(False), ends.take(False), ends.take(True), ends.take(True), ends.take(False)]
    assert taken == [0, 4, 3, 1, 2, None]  # each of the five once, then none


@needs_fork
def test_when_a_fork_fails_the_work_is_done_here(monkeypatch):
    import ladobench.background as background

    def no_fork(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background, "_fork", no_fork)
    with Background(_pid_and, 4) as pending:
        assert not pending.forked and pending.result() == (os.getpid(), 8)
    seen = []
    with Stream(_counts, 2, seen) as stream:
        assert not stream.forked and list(stream) == [0, 1] and seen == [0, 1] and stream.value == "counted to 2"
